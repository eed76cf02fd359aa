// Staff mode: privacy. How long personal data stays after sync (retention), "Delete now",
// and the audit trail with its chain check. View-model: kiosk/ui/privacy_panel.py.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts
import Kiosk

StaffSection {
    id: sec
    objectName: "staff.privacy"
    required property var app
    readonly property var privacy: app.privacy
    readonly property var st: privacy.state
    readonly property var chain: privacy.chain
    title: qsTr("Privacy")

    onVisibleChanged: if (visible) sec.privacy.refresh()
    Component.onCompleted: if (visible) sec.privacy.refresh()

    // One retention choice: a large radio-style card.
    component PolicyChoice: Button {
        id: choice
        property string policyKind
        property string label
        readonly property bool current: sec.st.kind === policyKind
        Layout.fillWidth: true
        focusPolicy: Qt.NoFocus
        enabled: !sec.st.busy
        implicitHeight: 72
        Accessible.name: label
        Accessible.checkable: true
        Accessible.checked: current
        onClicked: sec.privacy.setPolicy(policyKind, 0)
        contentItem: Item {
            Rectangle {
                id: dot
                x: 12
                anchors.verticalCenter: parent.verticalCenter
                width: 32
                height: 32
                radius: 16
                color: Theme.color.surface
                border.width: 3
                border.color: choice.current ? Theme.color.accent : Theme.color.outline
                Rectangle {
                    anchors.centerIn: parent
                    visible: choice.current
                    width: 16
                    height: 16
                    radius: 8
                    color: Theme.color.accent
                }
            }
            Text {
                anchors { left: dot.right; leftMargin: 16; right: parent.right; verticalCenter: parent.verticalCenter }
                text: choice.label
                textFormat: Text.PlainText
                wrapMode: Text.Wrap
                font.pixelSize: Theme.size.body
                font.weight: choice.current ? Font.Bold : Font.Normal
                color: Theme.color.text
            }
        }
        background: Rectangle {
            radius: 12
            color: choice.current ? Theme.color.accentSoft : Theme.color.surface
            border.width: choice.current ? 3 : 1
            border.color: choice.current ? Theme.color.accent : Theme.color.divider
        }
    }

    // -- retention: what happens now -------------------------------------------------------
    Rectangle {
        Layout.fillWidth: true
        implicitHeight: nowCol.implicitHeight + 36
        radius: 14
        color: Theme.color.surface
        border.width: 1
        border.color: Theme.color.divider
        ColumnLayout {
            id: nowCol
            anchors { left: parent.left; right: parent.right; top: parent.top; margins: 18 }
            spacing: 8
            KText {
                objectName: "staff.privacy.policyText"
                Layout.fillWidth: true
                font.weight: Font.Bold
                text: sec.st.kind === "immediate"
                      ? qsTr("Personal data is deleted as soon as the server has confirmed it has the signature.")
                      : sec.st.kind === "days"
                        ? qsTr("Personal data is deleted %n day(s) after signing, once the server has confirmed it has the signature.", "", sec.st.days || 0)
                        : qsTr("Personal data is kept until the signature has been exported on this kiosk and the server has confirmed it has it.")
            }
            KText {
                objectName: "staff.privacy.purgeable"
                Layout.fillWidth: true
                text: qsTr("Waiting to be deleted under this policy: %n signature(s).", "", sec.st.purgeable || 0)
            }
            KText {
                objectName: "staff.privacy.purged"
                Layout.fillWidth: true
                text: qsTr("Already deleted: %n signature(s) (they still count).", "", sec.st.purged || 0)
            }
            KText {
                objectName: "staff.privacy.waiting"
                Layout.fillWidth: true
                color: Theme.color.textMuted
                font.pixelSize: Theme.size.small
                text: qsTr("Not on the server yet, so kept whatever the policy: %n signature(s).", "", sec.st.waiting || 0)
            }
            RowLayout {
                Layout.fillWidth: true
                Layout.topMargin: 6
                spacing: 20
                KButton {
                    objectName: "staff.privacy.deleteNow"
                    kind: "secondary"
                    enabled: sec.st.loaded && !sec.st.busy
                    text: sec.st.busy ? qsTr("Deleting…") : qsTr("Delete now")
                    onClicked: sec.privacy.deleteNow()
                }
                KText {
                    objectName: "staff.privacy.deleteResult"
                    Layout.fillWidth: true
                    visible: text !== ""
                    font.pixelSize: Theme.size.small
                    font.weight: Font.DemiBold
                    color: Theme.color.accent
                    text: (sec.st.lastPurged || 0) > 0
                          ? qsTr("Deleted the personal data of %n signature(s).", "", sec.st.lastPurged)
                          : sec.st.lastPurged === 0 ? qsTr("Nothing to delete under this policy.") : ""
                }
            }
            KText {
                objectName: "staff.privacy.deletedFiles"
                Layout.fillWidth: true
                visible: (sec.st.lastFiles || 0) > 0
                font.pixelSize: Theme.size.small
                font.weight: Font.DemiBold
                color: Theme.color.accent
                text: qsTr("Deleted %n export file(s) saved on this tablet.", "", sec.st.lastFiles || 0)
            }
            KText {
                objectName: "staff.privacy.savedExports"
                Layout.fillWidth: true
                color: Theme.color.textMuted
                font.pixelSize: Theme.size.small
                text: qsTr("“Delete now” also deletes the exports saved on this tablet (they are deleted a day after saving anyway); exports on a USB stick are never touched.")
            }
        }
    }
    KText {
        objectName: "staff.privacy.error"
        Layout.fillWidth: true
        visible: text !== ""
        text: sec.st.error || ""
        color: Theme.color.error
    }

    // -- retention: the choice -------------------------------------------------------------
    Text {
        Layout.topMargin: 12
        Layout.fillWidth: true
        wrapMode: Text.Wrap
        text: qsTr("How long personal data stays on this kiosk")
        font.pixelSize: Theme.size.body
        font.weight: Font.Bold
        color: Theme.color.text
    }
    KText {
        Layout.fillWidth: true
        color: Theme.color.textMuted
        font.pixelSize: Theme.size.small
        text: qsTr("Names, contact details and drawn signatures are deleted from this kiosk only after the server has confirmed it has the signature, whatever you choose here. Counts always stay.")
    }
    PolicyChoice {
        objectName: "staff.privacy.policy.immediate"
        policyKind: "immediate"
        label: qsTr("Delete as soon as the server has it")
    }
    PolicyChoice {
        objectName: "staff.privacy.policy.days"
        policyKind: "days"
        label: qsTr("Delete a number of days after signing")
    }
    Flow {
        Layout.fillWidth: true
        Layout.leftMargin: 60
        spacing: 10
        Repeater {
            model: sec.st.dayChoices || []
            KButton {
                required property var modelData
                readonly property bool current: sec.st.kind === "days" && sec.st.days === modelData
                objectName: "staff.privacy.days." + modelData
                enabled: !sec.st.busy
                kind: current ? "primary" : "secondary"
                text: qsTr("%n day(s)", "", modelData)
                Accessible.checkable: true
                Accessible.checked: current
                onClicked: sec.privacy.setPolicy("days", modelData)
            }
        }
    }
    PolicyChoice {
        objectName: "staff.privacy.policy.untilExported"
        policyKind: "until_exported"
        label: qsTr("Keep until exported")
    }

    // -- audit trail -----------------------------------------------------------------------
    Text {
        Layout.topMargin: 24
        Layout.fillWidth: true
        wrapMode: Text.Wrap
        text: qsTr("Audit trail")
        font.pixelSize: Theme.size.body
        font.weight: Font.Bold
        color: Theme.color.text
    }
    KText {
        Layout.fillWidth: true
        color: Theme.color.textMuted
        font.pixelSize: Theme.size.small
        text: qsTr("Every staff action is recorded and sent to the server. Each entry is chained to the one before, so a changed or removed entry shows here.")
    }
    Rectangle {
        Layout.fillWidth: true
        implicitHeight: chainRow.implicitHeight + 28
        radius: 12
        readonly property bool broken: sec.chain.known && !sec.chain.ok && !sec.chain.checking
        color: broken ? Theme.color.errorSoft : Theme.color.surface
        border.width: broken ? 3 : 1
        border.color: broken ? Theme.color.error : Theme.color.divider
        RowLayout {
            id: chainRow
            anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; margins: 16 }
            spacing: 16
            Text {
                objectName: "staff.privacy.chain"
                Layout.fillWidth: true
                textFormat: Text.PlainText
                wrapMode: Text.Wrap
                font.pixelSize: Theme.size.body
                font.weight: Font.Bold
                color: sec.chain.checking || !sec.chain.known ? Theme.color.textMuted
                       : sec.chain.ok ? Theme.color.accent : Theme.color.error
                text: sec.chain.checking ? qsTr("Checking the audit trail…") : (sec.chain.text || "")
            }
            KButton {
                objectName: "staff.privacy.verify"
                kind: "secondary"
                enabled: !sec.chain.checking
                text: qsTr("Check again")
                onClicked: sec.privacy.verify()
            }
        }
    }
    KText {
        visible: sec.privacy.entries.length === 0
        text: qsTr("No entries yet.")
        color: Theme.color.textMuted
    }
    KText {
        visible: sec.privacy.entries.length > 0
        text: qsTr("Latest entries, newest first:")
        font.pixelSize: Theme.size.small
        color: Theme.color.textMuted
    }
    Repeater {
        model: sec.privacy.entries
        Rectangle {
            id: row
            required property var modelData
            required property int index
            objectName: "staff.privacy.audit." + index
            Layout.fillWidth: true
            implicitHeight: rowLayout.implicitHeight + 20
            radius: 10
            color: Theme.color.surface
            border.width: 1
            border.color: Theme.color.divider
            Accessible.role: Accessible.StaticText
            Accessible.name: modelData.time + ", " + modelData.action
                             + (modelData.detail ? ", " + modelData.detail : "") + ", " + modelData.sync
            RowLayout {
                id: rowLayout
                anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; margins: 16 }
                spacing: 16
                Text {
                    objectName: "staff.privacy.audit." + row.index + ".time"
                    Layout.preferredWidth: sec.width < 640 ? 110 : 210
                    wrapMode: Text.Wrap
                    text: row.modelData.time
                    font.pixelSize: Theme.size.small
                    color: Theme.color.text
                }
                ColumnLayout {
                    Layout.fillWidth: true
                    spacing: 2
                    KText {
                        objectName: "staff.privacy.audit." + row.index + ".action"
                        Layout.fillWidth: true
                        text: row.modelData.action
                        font.pixelSize: Theme.size.small
                        font.weight: Font.Bold
                    }
                    KText {
                        objectName: "staff.privacy.audit." + row.index + ".detail"
                        Layout.fillWidth: true
                        visible: text !== ""
                        text: row.modelData.detail
                        font.pixelSize: Theme.size.small
                        color: Theme.color.textMuted
                        maximumLineCount: 2
                        elide: Text.ElideRight
                    }
                }
                Text {
                    objectName: "staff.privacy.audit." + row.index + ".sync"
                    Layout.preferredWidth: sec.width < 640 ? 120 : 230
                    horizontalAlignment: Text.AlignRight
                    wrapMode: Text.Wrap
                    text: row.modelData.sync
                    font.pixelSize: Theme.size.small
                    color: row.modelData.synced ? Theme.color.accent : Theme.color.textMuted
                }
            }
        }
    }
}
