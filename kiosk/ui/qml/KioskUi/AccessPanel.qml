pragma ComponentBehavior: Bound
// "Accessibility" options for one signer (issue #17): read aloud, read back what I type, text
// size up to 200 %, high contrast, more time. Each choice says its state in words and with a
// tick, never by colour alone; everything resets for the next signer.
import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts
import Kiosk

Popup {
    id: panel
    objectName: "a11y.panel"
    required property var app
    // Null-safe: a signer's screens load in the background, and the panel can be built and
    // bound before the app handed down to it is (its Connections would then fall back to
    // the panel itself, and every binding would fail once).
    readonly property var speech: panel.app ? panel.app.speech : null
    parent: Overlay.overlay
    modal: true
    focus: true
    readonly property real areaWidth: panel.parent ? panel.parent.width : 800
    readonly property real areaHeight: panel.parent ? panel.parent.height : 800
    x: Math.round((panel.areaWidth - panel.width) / 2)
    y: Math.round(Math.max(16, (panel.areaHeight - panel.height) / 2))
    width: Math.min(panel.areaWidth - 32, 820)
    height: Math.min(panel.areaHeight - 32, body.implicitHeight + 2 * panel.padding)
    padding: 28
    closePolicy: Popup.CloseOnEscape | Popup.CloseOnPressOutside
    background: Rectangle {
        radius: 20
        color: Theme.color.surface
        border.width: 2
        border.color: Theme.color.outline
    }
    onOpened: {
        closeButton.forceActiveFocus()
        panel.app.setOptionsOpen(true)  // an open panel keeps the attract screen's idle reset armed
    }
    onClosed: if (panel.app) panel.app.setOptionsOpen(false)
    Component.onDestruction: if (panel.opened && panel.app) panel.app.setOptionsOpen(false)
    // The countdown must not hide under the panel, and the reset closes it.
    Connections {
        target: panel.app ? panel.app.idle : null
        function onSecondsLeftChanged() { if (panel.app.idle.secondsLeft > 0) panel.close() }
    }
    Connections {
        target: panel.app ? panel.app.flow : null
        function onWiped() { panel.close() }
    }

    Flickable {
        id: pane
        // What a screen reader announces on entering: a dialog, by its title (the Popup
        // itself is not an item and takes no Accessible properties).
        Accessible.role: Accessible.Dialog
        Accessible.name: qsTr("Accessibility")
        // The focus rings are drawn 6 px outside their control: the clipped area reaches
        // 8 px into the popup's padding, so a ring at the edge (Done, 200 %) is not cut.
        readonly property real ringRoom: 8
        anchors.fill: parent
        anchors.margins: -pane.ringRoom
        contentHeight: body.implicitHeight + 2 * pane.ringRoom
        clip: true
        boundsBehavior: Flickable.StopAtBounds

        ColumnLayout {
            id: body
            x: pane.ringRoom
            y: pane.ringRoom
            width: pane.width - 2 * pane.ringRoom
            spacing: 14

            RowLayout {
                Layout.fillWidth: true
                KText {
                    Layout.fillWidth: true
                    text: qsTr("Accessibility")
                    font.pixelSize: Theme.size.title
                    font.weight: Font.Bold
                    Accessible.role: Accessible.Heading
                    Accessible.name: text
                }
                KButton {
                    id: closeButton
                    objectName: "a11y.close"
                    kind: "primary"
                    text: qsTr("Done")
                    onClicked: panel.close()
                }
            }
            KCheck {
                Layout.fillWidth: true
                objectName: "a11y.speech"
                text: qsTr("Read the screen aloud")
                on: !!panel.speech && panel.speech.enabled
                enabled: !!panel.speech && panel.speech.available
                Accessible.description: qsTr("Headphones are recommended. On a keyboard, F2 turns it on or off.")
                onClicked: panel.speech.setEnabled(!on)
            }
            KCheck {
                Layout.fillWidth: true
                objectName: "a11y.echo"
                text: qsTr("Also read back what I type (my name, ZIP...)")
                on: !!panel.speech && panel.speech.echoPersonal
                enabled: !!panel.speech && panel.speech.enabled
                Accessible.description: qsTr("Anyone near you may hear it. Off unless you turn it on.")
                onClicked: panel.speech.setEchoPersonal(!on)
            }
            KText {
                Layout.fillWidth: true
                text: qsTr("Text size")
                font.weight: Font.DemiBold
            }
            GridLayout {
                id: sizes
                Layout.fillWidth: true
                columns: body.width > 640 ? 4 : 2
                columnSpacing: 12
                rowSpacing: 12
                Repeater {
                    model: [1.0, 1.25, 1.5, 2.0]
                    delegate: KCheck {
                        id: sizeChoice
                        Layout.fillWidth: true
                        required property real modelData
                        objectName: "a11y.textSize." + Math.round(sizeChoice.modelData * 100)
                        text: Math.round(sizeChoice.modelData * 100) + " %"
                        Accessible.role: Accessible.RadioButton
                        Accessible.name: qsTr("Text size %1 percent").arg(Math.round(sizeChoice.modelData * 100))
                        on: !!panel.app && Math.abs(panel.app.textScale - sizeChoice.modelData) < 0.01
                        onClicked: panel.app.setTextScale(sizeChoice.modelData)
                    }
                }
            }
            KCheck {
                Layout.fillWidth: true
                objectName: "a11y.highContrast"
                text: qsTr("High contrast")
                on: !!panel.app && panel.app.highContrast
                onClicked: panel.app.setHighContrast(!on)
            }
            KCheck {
                Layout.fillWidth: true
                objectName: "a11y.moreTime"
                text: qsTr("More time on every screen")
                on: !!panel.app && panel.app.moreTimeVisit
                Accessible.description: qsTr("The screen waits three times longer before it asks if you are still there.")
                onClicked: panel.app.setMoreTimeVisit(!on)
            }
        }
    }
}
