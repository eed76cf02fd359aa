// "Start over" on the form, local-campaign and signing screens: one step out of a half-made
// entry instead of Back three or four times (which leaves the details readable meanwhile).
// It asks once, because a tap by accident beside "Back" must not lose what a signer typed;
// "Yes, start over" wipes exactly as the idle timeout does and shows the attract screen.
// The dialog holds the focus (Tab stays on its two buttons), starts on the safe answer, and
// closes on Escape or a tap outside, giving the focus back to this button (opened with keys)
// or to where it was, unless that is hidden now.
import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts
import Kiosk

KButton {
    id: button
    required property var app
    property bool refocus: false
    kind: "secondary"
    text: qsTr("Start over")
    Accessible.description: qsTr("Clears everything you entered and goes back to the first screen")
    onClicked: {
        button.refocus = button.activeFocus
        dialog.open()
    }
    // Closed, the Popup gives the focus back to the item of the screen that had it before:
    // never to one hidden meanwhile (it would take keys unseen, speech mode would read it,
    // and a text field would bring the on-screen keyboard back over the screen). The screen
    // itself takes it then, as the window's focus sink does (the scrolling keys, no ring).
    function noHiddenFocus() {
        const item = button.Window.activeFocusItem
        if (!item || item.visible)
            return
        var up = button.parent
        while (up && !(up as FadePage))
            up = up.parent
        const page = up as FadePage
        if (page && page.visible)
            page.forceActiveFocus()
        Qt.inputMethod.hide()  // qmllint disable missing-property
    }

    Popup {
        id: dialog
        parent: Overlay.overlay
        modal: true
        focus: true
        closePolicy: Popup.CloseOnEscape | Popup.CloseOnPressOutside
        readonly property real areaWidth: dialog.parent ? dialog.parent.width : 800
        readonly property real areaHeight: dialog.parent ? dialog.parent.height : 800
        width: Math.min(dialog.areaWidth - 32, 760)
        height: Math.min(dialog.areaHeight - 32, body.implicitHeight + 2 * dialog.padding)
        x: Math.round((dialog.areaWidth - dialog.width) / 2)
        y: Math.round(Math.max(16, (dialog.areaHeight - dialog.height) / 2))
        padding: 36
        Overlay.modal: Rectangle { color: Theme.color.scrim; opacity: 0.8 }
        background: Rectangle {
            objectName: "startOver.dialog"
            radius: 24
            color: Theme.color.surface
            border.width: 2
            border.color: Theme.color.outline
        }
        onOpened: keep.forceActiveFocus()
        onClosed: {
            if (button.refocus && button.visible)
                button.forceActiveFocus()
            else
                Qt.callLater(button.noHiddenFocus)
        }
        // "Are you still there?" must not hide under it.
        Connections {
            target: button.app ? button.app.idle : null  // null-safe: see AccessPanel.qml
            function onSecondsLeftChanged() { if (button.app.idle.secondsLeft > 0) dialog.close() }
        }

        Flickable {
            id: pane
            // What a screen reader announces on entering: a dialog, by its title (the Popup
            // itself is not an item and takes no Accessible properties).
            Accessible.role: Accessible.Dialog
            Accessible.name: question.text
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
                spacing: 22
                KText {
                    id: question
                    objectName: "startOver.title"
                    Layout.fillWidth: true
                    text: qsTr("Start over?")
                    font.pixelSize: Theme.size.title
                    font.weight: Font.Bold
                    Accessible.role: Accessible.Heading
                    Accessible.name: text
                }
                KText {
                    id: explain
                    Layout.fillWidth: true
                    text: qsTr("Everything you entered will be cleared and the first screen will show again.")
                }
                GridLayout {
                    id: answers
                    Layout.fillWidth: true
                    columns: keep.implicitWidth + yes.implicitWidth + columnSpacing <= body.width ? 2 : 1
                    columnSpacing: 20
                    rowSpacing: 14
                    KButton {
                        id: keep
                        objectName: "startOver.cancel"
                        stretch: answers.columns === 1
                        kind: "secondary"
                        text: qsTr("No, keep my details")
                        // Said with the question when the dialog opens (the focus is here).
                        Accessible.description: question.text + " " + explain.text
                        onClicked: dialog.close()
                    }
                    KButton {
                        id: yes
                        objectName: "startOver.confirm"
                        stretch: answers.columns === 1
                        kind: "danger"
                        text: qsTr("Yes, start over")
                        onClicked: {
                            button.refocus = false
                            // Wipe first: closing first gave the focus back to the field the
                            // signer was in, and speech mode began to read its value aloud.
                            button.app.startOver()
                            dialog.close()
                        }
                    }
                }
            }
        }
    }
}
