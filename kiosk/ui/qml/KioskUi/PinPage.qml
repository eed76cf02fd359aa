// The staff PIN. Five wrong tries lock entry for a growing delay (kept across restarts).
import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts
import Kiosk

Rectangle {
    id: page
    objectName: "pin.page"
    required property var app
    readonly property var staff: app.staff
    readonly property bool locked: staff.pinLockedSeconds > 0
    color: Theme.color.background

    function lockText(seconds) {
        var m = Math.floor(seconds / 60), s = seconds % 60
        return m > 0 ? qsTr("%1 min %2 s").arg(m).arg(s) : qsTr("%1 s").arg(s)
    }

    Component.onCompleted: pin.input.forceActiveFocus()

    Connections {
        target: page.staff
        function onPinChanged() {
            if (page.staff.pinState === "wrong" || page.staff.pinState === "locked")
                pin.input.text = ""
        }
    }

    // As wide as the window allows (a portrait tablet, a larger font), never cut.
    Rectangle {
        anchors.centerIn: parent
        width: Math.min(page.width - 48, Math.max(620, 480 * Theme.scale))
        height: col.implicitHeight + 72
        radius: 24
        color: Theme.color.surface
        border.width: 1
        border.color: Theme.color.divider

        ColumnLayout {
            id: col
            anchors { left: parent.left; right: parent.right; top: parent.top; margins: 40 }
            spacing: 16
            Text {
                text: qsTr("Staff only")
                font.pixelSize: Theme.size.title
                font.weight: Font.Bold
                color: Theme.color.text
            }
            KField {
                id: pin
                Layout.fillWidth: true
                inputName: "pin.input"
                label: qsTr("Staff PIN")
                echo: TextInput.Password
                hints: Qt.ImhDigitsOnly | Qt.ImhSensitiveData | Qt.ImhNoPredictiveText | Qt.ImhHiddenText
                maxLength: 12
                last: true
                input.enabled: !page.locked && page.staff.pinState !== "checking"
                onSubmitted: if (pin.input.text !== "") page.staff.tryPin(pin.input.text)
            }
            KText {
                objectName: "pin.message"
                Layout.fillWidth: true
                visible: text !== ""
                color: page.staff.pinState === "checking" ? Theme.color.textMuted : Theme.color.error
                font.weight: Font.DemiBold
                // Problems are codes; kiosk/ui/messages.py words them (the one place), in the
                // language passed (so this re-words when it changes).
                text: page.locked
                      ? page.app.i18n.message(page.app.i18n.language, "pin", "locked", 0)
                            .arg(page.lockText(page.staff.pinLockedSeconds))
                      : page.staff.pinState === "wrong"
                        ? page.app.i18n.message(page.app.i18n.language, "pin", "wrong", page.staff.pinTriesLeft)
                        : page.staff.pinState === "checking" ? qsTr("Checking…") : ""
            }
            // Side by side when both labels fit, else one above the other (never a word
            // broken in a squeezed button).
            GridLayout {
                id: pinButtons
                Layout.fillWidth: true
                Layout.topMargin: 8
                columns: cancelButton.implicitWidth + unlockButton.implicitWidth + 16 <= col.width ? 3 : 1
                columnSpacing: 16
                rowSpacing: 12
                KButton {
                    id: cancelButton
                    objectName: "pin.cancel"
                    stretch: pinButtons.columns === 1
                    kind: "secondary"
                    text: qsTr("Cancel")
                    onClicked: page.app.cancelPin()
                }
                Item { Layout.fillWidth: true; visible: pinButtons.columns === 3 }
                KButton {
                    id: unlockButton
                    stretch: pinButtons.columns === 1
                    objectName: "pin.submit"
                    text: qsTr("Unlock")
                    enabled: !page.locked && pin.input.text.length >= 4 && page.staff.pinState !== "checking"
                    onClicked: page.staff.tryPin(pin.input.text)
                }
            }
        }
    }
}
