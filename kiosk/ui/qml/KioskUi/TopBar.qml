// The signer screens' top bar: who runs the campaign, accessibility options, larger text,
// language.
import QtQuick
import QtQuick.Controls.Basic
import Kiosk

Rectangle {
    id: root
    required property var app
    property string caption: ""
    // The petition's name beside the tools when there is room for it; else (portrait, large
    // text) on its own full-width line under them, at its full size.
    readonly property bool twoRows: root.width - tools.width - 80 < 240 * Theme.scale
    // Slimmer while the keyboard is up, to leave room for the form.
    // A narrow (portrait) window gives the title more room below the same tools.
    implicitHeight: root.twoRows
                    ? tools.height + captionText.implicitHeight + (Qt.inputMethod.visible ? 18 : 30)  // qmllint disable missing-property
                    : (Qt.inputMethod.visible ? 68 : 84) + (width < 1000 ? 24 : 0)  // qmllint disable missing-property
    color: Theme.color.surface

    Rectangle {
        anchors { left: parent.left; right: parent.right; bottom: parent.bottom }
        height: 1
        color: Theme.color.divider
    }

    // The petition's name is never cut: beside the tools it wraps (two lines, three in a
    // narrow bar) and, if it still does not fit, shrinks; under them it wraps at full size.
    Text {
        id: captionText
        objectName: "topBar.caption"
        x: 32
        y: root.twoRows ? tools.y + tools.height + 6 : 4
        width: root.twoRows ? root.width - 64 : tools.x - 24 - 32
        height: root.twoRows ? implicitHeight : root.height - 9
        verticalAlignment: Text.AlignVCenter
        text: root.caption
        textFormat: Text.PlainText
        wrapMode: Text.Wrap
        fontSizeMode: root.twoRows ? Text.FixedSize : Text.Fit
        minimumPixelSize: 11
        lineHeight: 0.95
        font.pixelSize: Theme.size.small + 1
        font.weight: Font.DemiBold
        color: Theme.color.textMuted
    }

    Row {
        id: tools
        anchors { right: parent.right; rightMargin: 24 }
        y: root.twoRows ? (Qt.inputMethod.visible ? 6 : 12) : (root.height - tools.height) / 2  // qmllint disable missing-property
        spacing: 18

        Button {
            id: optionsButton
            objectName: "a11y.options"
            focusPolicy: Qt.TabFocus
            Keys.onReturnPressed: optionsButton.clicked()
            Keys.onEnterPressed: optionsButton.clicked()
            onClicked: accessPanel.open()
            implicitHeight: Theme.touch
            implicitWidth: Theme.touch + 16
            Accessible.role: Accessible.Button
            Accessible.name: qsTr("Accessibility options")
            Accessible.description: qsTr("Read aloud, text size, high contrast, more time")
            contentItem: Text {
                text: "\u267F"
                font.family: "DejaVu Sans"
                font.pixelSize: 34
                horizontalAlignment: Text.AlignHCenter
                verticalAlignment: Text.AlignVCenter
                color: Theme.color.primary
            }
            background: Rectangle {
                radius: 12
                color: Theme.color.surface
                border.width: 2
                border.color: Theme.color.primary
                FocusRing { target: optionsButton }
            }
        }

        Button {
            id: sizeToggle
            objectName: "a11y.largeText"
            focusPolicy: Qt.TabFocus
            Keys.onReturnPressed: { sizeToggle.toggle(); sizeToggle.toggled() }
            Keys.onEnterPressed: { sizeToggle.toggle(); sizeToggle.toggled() }
            checkable: true
            checked: root.app.largeText
            onToggled: root.app.setLargeText(sizeToggle.checked)
            implicitHeight: Theme.touch
            implicitWidth: Math.max(Theme.touch + 56, sizeRow.implicitWidth + 32)
            Accessible.name: qsTr("Larger text")
            Accessible.checkable: true
            Accessible.checked: checked
            contentItem: Item {
                Row {
                    id: sizeRow
                    anchors.centerIn: parent
                    spacing: 2
                    Text { text: "A"; font.pixelSize: 18; font.weight: Font.Bold; anchors.baseline: big.baseline
                           color: sizeToggle.checked ? Theme.color.onPrimary : Theme.color.primary }
                    Text { id: big; text: "A"; font.pixelSize: 30; font.weight: Font.Bold
                           color: sizeToggle.checked ? Theme.color.onPrimary : Theme.color.primary }
                }
            }
            background: Rectangle {
                radius: 12
                color: sizeToggle.checked ? Theme.color.primary : Theme.color.surface
                border.width: 2
                border.color: Theme.color.primary
                FocusRing { target: sizeToggle }
            }
        }

        LanguageSwitch { app: root.app }
    }

    AccessPanel { id: accessPanel; app: root.app }
}
