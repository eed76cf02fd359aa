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
        anchors { top: bar.bottom; bottom: actions.top; left: parent.left; right: parent.right
                  leftMargin: 48; rightMargin: 48; topMargin: 22; bottomMargin: 18 }
        spacing: 14

        RowLayout {
            Layout.fillWidth: true
            spacing: 24
            ColumnLayout {
                Layout.fillWidth: true
                spacing: 4
                Text {
                    text: qsTr("Sign with your finger")
                    font.pixelSize: Theme.size.title
                    font.weight: Font.Bold
                    color: Theme.color.text
                }
                KText {
                    objectName: "pad.review"
                    Layout.fillWidth: true
                    color: Theme.color.textMuted
                    maximumLineCount: 2
                    elide: Text.ElideRight
                    text: qsTr("%1, ZIP %2 · %3").arg(page.flow.review.name || "")
                          .arg(page.flow.review.zip || "").arg(page.s.target || "")
                }
            }
            KButton {
                objectName: "pad.edit"
                kind: "quiet"
                text: qsTr("Edit my details")
                onClicked: page.flow.toForm()
            }
        }

        Rectangle {
            id: card
            Layout.fillWidth: true
            Layout.fillHeight: true
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
            objectName: "pad.error"
            Layout.fillWidth: true
            visible: text !== ""
            text: page.flow.message
            color: Theme.color.error
            font.weight: Font.DemiBold
        }
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
