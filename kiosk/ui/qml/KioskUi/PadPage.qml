// Review and sign: who is signing what, a large pad, Clear and Submit.
import QtQuick
import QtQuick.Layouts
import Kiosk

FadePage {
    id: page
    objectName: "pad.page"
    required property var app
    readonly property var flow: app.flow
    readonly property var s: flow.signing
    // The pad itself lives in Main.qml and is lent to this page (one pad for the app's
    // lifetime, wiped for every signer): a pad made per signer would leave its Python side
    // behind each time (PySide6 6.12).
    required property var pad
    readonly property Item padSlot: card
    readonly property bool padEmpty: pad ? pad.empty : true
    readonly property bool padEnough: pad ? pad.inkEnough : false

    TopBar { id: bar; app: page.app; caption: page.s.title || ""
             anchors { left: parent.left; right: parent.right; top: parent.top } }

    ColumnLayout {
        id: column
        anchors { top: bar.bottom; bottom: actions.top; left: parent.left; right: parent.right
                  leftMargin: page.width < 1000 ? 32 : 48; rightMargin: page.width < 1000 ? 32 : 48
                  topMargin: 22; bottomMargin: 18 }
        spacing: 14

        // Side by side; in a narrow (portrait) window "Edit my details" goes under the review.
        GridLayout {
            id: header
            Layout.fillWidth: true
            columns: column.width < 900 ? 1 : 2
            columnSpacing: 24
            rowSpacing: 4
            ColumnLayout {
                Layout.fillWidth: true
                Layout.alignment: Qt.AlignTop
                spacing: 4
                KText {
                    Layout.fillWidth: true
                    text: qsTr("Sign with your finger")
                    font.pixelSize: Theme.size.title
                    font.weight: Font.Bold
                    lineHeight: 1.0
                }
                KText {
                    objectName: "pad.review"
                    Layout.fillWidth: true
                    color: Theme.color.textMuted
                    text: qsTr("%1, ZIP %2 · %3").arg(page.flow.review.name || "")
                          .arg(page.flow.review.zip || "").arg(page.s.target || "")
                }
            }
            KButton {
                objectName: "pad.edit"
                Layout.alignment: header.columns === 1 ? Qt.AlignLeft : Qt.AlignTop
                kind: "quiet"
                text: qsTr("Edit my details")
                onClicked: page.flow.toForm()
            }
        }

        // As wide as the screen allows and never much taller than wide: in portrait the pad
        // stays a signing strip right under the review line, not a tall box.
        Rectangle {
            id: card
            Layout.fillWidth: true
            Layout.preferredHeight: Math.max(160, Math.min(
                column.height - header.height - column.spacing
                - (padError.visible ? padError.height + column.spacing : 0),
                column.width * 0.6))
            radius: 18
            color: Theme.color.surface
            border.width: 2
            border.color: Theme.color.outline

            // The signing line, drawn under the ink.
            Rectangle {
                x: 56; width: parent.width - 112; height: 2
                y: parent.height * 0.72
                color: Theme.color.divider
            }
            Text {
                x: 24
                y: parent.height * 0.72 - height + 6
                text: "×"
                font.pixelSize: 40
                color: Theme.color.textMuted
            }
            Text {
                anchors.centerIn: parent
                visible: page.padEmpty
                text: qsTr("Sign here")
                font.pixelSize: Theme.size.title
                color: Theme.color.textMuted
                opacity: 0.7
            }
        }

        KText {
            id: padError
            objectName: "pad.error"
            Layout.fillWidth: true
            visible: text !== ""
            text: page.flow.message
            color: Theme.color.error
            font.weight: Font.DemiBold
        }
        Item { Layout.fillHeight: true }
    }

    ActionBar {
        id: actions
        anchors { left: parent.left; right: parent.right; bottom: parent.bottom }
        leftContent: [
            KButton {
                objectName: "pad.back"
                kind: "secondary"
                text: qsTr("Back")
                onClicked: page.flow.back()
            },
            KButton {
                objectName: "pad.clear"
                kind: "secondary"
                text: qsTr("Clear")
                enabled: !page.padEmpty
                onClicked: page.pad.clear()
            }
        ]
        KText {
            anchors.verticalCenter: parent.verticalCenter
            visible: !page.padEnough
            text: page.padEmpty ? "" : qsTr("Keep going: sign your full name")
            color: Theme.color.textMuted
            font.pixelSize: Theme.size.small
        }
        KButton {
            objectName: "pad.submit"
            text: page.flow.busy ? qsTr("Saving…") : qsTr("Submit my signature")
            enabled: page.padEnough && !page.flow.busy
            onClicked: page.flow.submit(page.pad)
        }
    }
}
