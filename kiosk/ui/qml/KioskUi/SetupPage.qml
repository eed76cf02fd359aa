// First start: the staff PIN, and (when the kiosk has no key yet) the coordinator passphrase.
import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts
import Kiosk

Rectangle {
    id: page
    objectName: "setup.page"
    required property var app
    readonly property var staff: app.staff
    readonly property var errs: staff.setupErrors
    color: Theme.color.background

    // Problems are codes; kiosk/ui/messages.py words them (the one place). Passing the language
    // makes the binding re-word them when it changes.
    function word(code) {
        return page.app.i18n.message(page.app.i18n.language, "setup", code, 0)
    }

    Rectangle {
        id: band
        anchors { left: parent.left; right: parent.right; top: parent.top }
        height: 96
        color: Theme.color.header
        Text {
            anchors { left: parent.left; leftMargin: 40; verticalCenter: parent.verticalCenter }
            text: qsTr("Set up this kiosk")
            font.pixelSize: Theme.size.title
            font.weight: Font.Bold
            color: Theme.color.onHeader
        }
        LanguageSwitch {
            app: page.app
            anchors { right: parent.right; rightMargin: 32; verticalCenter: parent.verticalCenter }
        }
    }

    Flickable {
        id: flick
        anchors { top: band.bottom; bottom: actions.top; left: parent.left; right: parent.right }
        contentWidth: width
        contentHeight: col.implicitHeight + 56
        clip: true
        boundsBehavior: Flickable.StopAtBounds

        ColumnLayout {
            id: col
            x: (flick.width - width) / 2
            y: 28
            width: Math.min(flick.width - 120, 1040)
            spacing: 18

            KText {
                Layout.fillWidth: true
                text: qsTr("Before the first signer, choose a PIN for volunteers. It opens staff mode: a long press on the top-left corner of the screen.")
                color: Theme.color.textMuted
            }
            GridLayout {
                Layout.fillWidth: true
                columns: 2
                columnSpacing: 28
                rowSpacing: 12
                visible: page.staff.needsPin
                KField {
                    id: pin
                    Layout.fillWidth: true
                    inputName: "setup.pin"
                    label: qsTr("Staff PIN (4 to 12 digits)")
                    echo: TextInput.Password
                    hints: Qt.ImhDigitsOnly | Qt.ImhSensitiveData | Qt.ImhNoPredictiveText
                    maxLength: 12
                    error: page.word(page.errs.pin || "")
                }
                KField {
                    id: pinAgain
                    Layout.fillWidth: true
                    inputName: "setup.pinAgain"
                    label: qsTr("The same PIN again")
                    echo: TextInput.Password
                    hints: Qt.ImhDigitsOnly | Qt.ImhSensitiveData | Qt.ImhNoPredictiveText
                    maxLength: 12
                    error: page.word(page.errs.pinAgain || "")
                }
            }

            Rectangle {
                visible: page.staff.needsKey
                Layout.fillWidth: true
                Layout.topMargin: 10
                implicitHeight: keyCol.implicitHeight + 48
                radius: 16
                color: Theme.color.surface
                border.width: 1
                border.color: Theme.color.divider
                ColumnLayout {
                    id: keyCol
                    anchors { left: parent.left; right: parent.right; top: parent.top; margins: 24 }
                    spacing: 12
                    Text {
                        text: qsTr("Coordinator passphrase")
                        font.pixelSize: Theme.size.heading
                        font.weight: Font.Bold
                        color: Theme.color.text
                    }
                    KText {
                        objectName: "setup.keyExplain"
                        Layout.fillWidth: true
                        text: qsTr("Signers' details are encrypted with a key that only this passphrase unlocks: you need it to export or print the signatures, and it cannot be recovered if it is lost.")
                    }
                    GridLayout {
                        Layout.fillWidth: true
                        columns: 2
                        columnSpacing: 28
                        rowSpacing: 12
                        KField {
                            id: pass
                            Layout.fillWidth: true
                            inputName: "setup.passphrase"
                            label: qsTr("Passphrase (at least 8 characters)")
                            echo: TextInput.Password
                            hints: Qt.ImhSensitiveData | Qt.ImhNoPredictiveText | Qt.ImhNoAutoUppercase
                            maxLength: 200
                            error: page.word(page.errs.passphrase || "")
                        }
                        KField {
                            id: passAgain
                            Layout.fillWidth: true
                            inputName: "setup.passphraseAgain"
                            label: qsTr("The same passphrase again")
                            echo: TextInput.Password
                            hints: Qt.ImhSensitiveData | Qt.ImhNoPredictiveText | Qt.ImhNoAutoUppercase
                            maxLength: 200
                            error: page.word(page.errs.passphraseAgain || "")
                        }
                    }
                }
            }
            KText {
                objectName: "setup.error"
                Layout.fillWidth: true
                visible: text !== ""
                text: page.word(page.errs.form || "")
                color: Theme.color.error
            }
        }
    }

    Rectangle {
        id: actions
        anchors { left: parent.left; right: parent.right; bottom: parent.bottom }
        height: 100
        color: Theme.color.surface
        Rectangle { width: parent.width; height: 1; color: Theme.color.divider }
        KText {
            anchors { left: parent.left; leftMargin: 40; verticalCenter: parent.verticalCenter
                      right: finish.left; rightMargin: 24 }
            visible: page.staff.setupBusy
            text: qsTr("Setting up… this takes a few seconds.")
            color: Theme.color.textMuted
        }
        KButton {
            id: finish
            objectName: "setup.finish"
            anchors { right: parent.right; rightMargin: 32; verticalCenter: parent.verticalCenter }
            text: qsTr("Finish set-up")
            enabled: !page.staff.setupBusy
            onClicked: page.staff.completeSetup(pin.input.text, pinAgain.input.text,
                                                pass.input.text, passAgain.input.text)
        }
    }
}
