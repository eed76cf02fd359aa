// Staff mode: campaign, event, counts, last entries with voiding, sync status, exit.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts
import Kiosk

Rectangle {
    id: page
    objectName: "staff.page"
    required property var app
    readonly property var staff: app.staff
    readonly property var sync: app.sync
    readonly property var counts: staff.counts
    property string section: "campaign"
    property string voidId: ""
    property bool confirmQuit: false
    // A portrait tablet (800 wide): the header's title goes above its buttons (it was hidden
    // behind the language switch), the counts go two by two and the margins narrow.
    readonly property bool narrow: page.width < 1100
    color: Theme.color.background

    Component.onCompleted: page.staff.refresh()

    // On the page: a successful void rebuilds the list, and the delegate that asked with it.
    function voidEntry(id, reason) {
        var wanted = id
        if (staff.voidEntry(wanted, reason))
            voidId = ""
    }

    // Out of the coordinator passphrase field: its text, then its focus and the on-screen
    // keyboard when the focus was in it (a hidden field keeps the focus in Qt Quick).
    function leavePassphrase() {
        const field = unlockPass.input
        field.text = ""
        if (field.activeFocus) {
            field.focus = false
            Qt.inputMethod.hide()  // qmllint disable missing-property
        }
    }

    // Problems are codes; kiosk/ui/messages.py words them (the one place). Passing the language
    // makes the binding re-word them when it changes.
    function say(kind, code) {
        return page.app.i18n.message(page.app.i18n.language, kind, code, 0)
    }

    // -- header: title, event, counts, language, close -------------------------------------
    Rectangle {
        id: band
        anchors { left: parent.left; right: parent.right; top: parent.top }
        height: page.narrow ? 96 + bar.height + 8 : 96
        color: Theme.color.staff
        ColumnLayout {
            id: heading
            anchors.left: parent.left
            anchors.leftMargin: page.narrow ? 24 : 40
            anchors.top: page.narrow ? parent.top : undefined
            anchors.topMargin: 14
            anchors.verticalCenter: page.narrow ? undefined : parent.verticalCenter
            // Never under the buttons: beside them, the room left of them.
            width: page.narrow ? band.width - 48 : bar.x - 40 - 24
            spacing: 2
            RowLayout {
                spacing: 16
                Text {
                    objectName: "staff.title"
                    Layout.maximumWidth: heading.width - (badge.visible ? badge.width + 16 : 0)
                    text: qsTr("Staff mode")
                    elide: Text.ElideRight
                    font.pixelSize: Theme.size.title
                    font.weight: Font.Bold
                    color: Theme.color.onHeader
                }
                // A demo kiosk (kiosk --demo) says so on every staff screen.
                Rectangle {
                    id: badge
                    objectName: "staff.demoBadge"
                    visible: page.staff.demo
                    color: "#b00020"
                    radius: 6
                    implicitWidth: demoText.implicitWidth + 24
                    implicitHeight: demoText.implicitHeight + 8
                    Text {
                        id: demoText
                        anchors.centerIn: parent
                        //: Staff mode badge of a demo kiosk (kiosk --demo): short, capitals.
                        text: qsTr("DEMO")
                        font.pixelSize: Theme.size.small
                        font.weight: Font.Bold
                        color: "white"
                    }
                }
            }
            Text {
                objectName: "staff.eventSummary"
                Layout.maximumWidth: heading.width
                elide: Text.ElideRight
                text: page.staff.currentEvent.active
                      ? qsTr("Event: %1").arg(page.staff.currentEvent.name + (page.staff.currentEvent.location ? " · " + page.staff.currentEvent.location : ""))
                      : qsTr("No event named")
                textFormat: Text.PlainText
                font.pixelSize: Theme.size.small
                color: Theme.color.onHeader
            }
        }
        Row {
            id: bar
            anchors.right: parent.right
            anchors.rightMargin: page.narrow ? 24 : 32
            anchors.bottom: page.narrow ? parent.bottom : undefined
            anchors.bottomMargin: 14
            anchors.verticalCenter: page.narrow ? undefined : parent.verticalCenter
            spacing: 20
            LanguageSwitch { app: page.app }
            KButton {
                objectName: "staff.close"
                text: qsTr("Back to signing")
                onClicked: page.app.closeStaff()
            }
        }
    }

    // -- navigation ------------------------------------------------------------------------
    Rectangle {
        id: nav
        anchors { left: parent.left; top: band.bottom; bottom: parent.bottom }
        width: 300
        color: Theme.color.surface
        Rectangle { anchors.right: parent.right; width: 1; height: parent.height; color: Theme.color.divider }

        ColumnLayout {
            anchors { left: parent.left; right: parent.right; top: parent.top; margins: 20 }
            spacing: 10
            Repeater {
                model: [
                    { key: "campaign", label: qsTr("Campaign") },
                    { key: "event", label: qsTr("Event") },
                    { key: "entries", label: qsTr("Last entries") },
                    { key: "sync", label: qsTr("Sync") },
                    { key: "exports", label: qsTr("Exports") },
                    { key: "privacy", label: qsTr("Privacy") }
                ]
                KButton {
                    required property var modelData
                    objectName: "staff.tab." + modelData.key
                    stretch: true
                    kind: page.section === modelData.key ? "primary" : "quiet"
                    text: modelData.label
                    onClicked: page.section = modelData.key
                }
            }
        }
        ColumnLayout {
            anchors { left: parent.left; right: parent.right; bottom: parent.bottom; margins: 20 }
            // With the keyboard up the page is shorter: the exit block would cover the tabs.
            visible: !Qt.inputMethod.visible  // qmllint disable missing-property
            spacing: 10
            KText {
                Layout.fillWidth: true
                visible: page.confirmQuit
                text: qsTr("Close the app? Signing stops until it is started again.")
                font.pixelSize: Theme.size.small
            }
            KButton {
                objectName: "staff.quitConfirm"
                stretch: true
                visible: page.confirmQuit
                kind: "danger"
                text: qsTr("Yes, exit")
                onClicked: page.staff.quitApp()
            }
            KButton {
                objectName: "staff.quit"
                stretch: true
                kind: "secondary"
                text: page.confirmQuit ? qsTr("Cancel") : qsTr("Exit the app")
                onClicked: page.confirmQuit = !page.confirmQuit
            }
        }
    }

    // -- content ---------------------------------------------------------------------------
    Flickable {
        id: flick
        anchors { left: nav.right; right: parent.right; top: band.bottom; bottom: parent.bottom }
        contentWidth: width
        contentHeight: content.implicitHeight + 64
        clip: true
        boundsBehavior: Flickable.StopAtBounds
        ScrollBar.vertical: ScrollBar { policy: ScrollBar.AsNeeded; width: 14 }

        ColumnLayout {
            id: content
            x: page.narrow ? 24 : 40
            y: 28
            width: flick.width - 2 * content.x
            spacing: 28

            // Counts are always in view: four abreast, two by two on a portrait tablet.
            GridLayout {
                Layout.fillWidth: true
                columns: page.narrow ? 2 : 4
                columnSpacing: 16
                rowSpacing: 16
                Repeater {
                    model: [
                        { name: "staff.count.activeToday", value: page.counts.activeToday, label: qsTr("Today, this campaign") },
                        { name: "staff.count.activeAll", value: page.counts.activeAll, label: qsTr("All time, this campaign") },
                        { name: "staff.count.today", value: page.counts.today, label: qsTr("Today, all campaigns") },
                        { name: "staff.count.all", value: page.counts.all, label: qsTr("All time, all campaigns") }
                    ]
                    Rectangle {
                        id: countCard
                        required property var modelData
                        Layout.fillWidth: true
                        Layout.fillHeight: true
                        Layout.preferredWidth: 1  // equal shares, whatever the label's length
                        implicitHeight: countCol.implicitHeight + 36
                        radius: 14
                        color: Theme.color.surface
                        border.width: 1
                        border.color: Theme.color.divider
                        Accessible.role: Accessible.StaticText
                        Accessible.name: modelData.label + ": " + modelData.value
                        Column {
                            id: countCol
                            anchors { left: parent.left; right: parent.right; top: parent.top; margins: 18 }
                            spacing: 4
                            Text { objectName: countCard.modelData.name; text: countCard.modelData.value; font.pixelSize: Theme.size.title
                                   font.weight: Font.Bold; color: Theme.color.accent }
                            Text { width: parent.width; text: countCard.modelData.label; font.pixelSize: Theme.size.small
                                   color: Theme.color.textMuted; wrapMode: Text.Wrap }
                        }
                    }
                }
            }

            // -- campaign ----------------------------------------------------------------------
            StaffSection {
                visible: page.section === "campaign"
                Layout.fillWidth: true
                title: qsTr("Campaign shown to signers")
                Repeater {
                    model: page.staff.campaigns
                    // One choice each; the one shown now says so with a tick and in words,
                    // as the signer's "Your current choice" does (not by its colour alone).
                    Button {
                        id: camp
                        required property var modelData
                        readonly property bool current: camp.modelData.active
                        objectName: "staff.campaign." + modelData.slug
                        Layout.fillWidth: true
                        focusPolicy: Qt.NoFocus
                        implicitHeight: Math.max(80, campCol.implicitHeight + 24)
                        Accessible.role: Accessible.RadioButton
                        Accessible.name: modelData.title
                        Accessible.description: camp.modelData.target
                        Accessible.checkable: true
                        Accessible.checked: camp.current
                        // Qt Quick's Button writes its own (false) checkable and checked over
                        // these when accessibility turns on (see KCheck.qml): put them back.
                        Accessible.onCheckableChanged: {
                            if (!camp.Accessible.checkable) {
                                camp.Accessible.checkable = true
                                camp.Accessible.checked = Qt.binding(() => camp.current)
                            }
                        }
                        onClicked: page.staff.setActiveCampaign(modelData.slug)
                        contentItem: ColumnLayout {
                            id: campCol
                            spacing: 2
                            KText { Layout.fillWidth: true; leftPadding: 12
                                    text: (camp.current ? "✓  " : "") + camp.modelData.title
                                    font.weight: Font.Bold }
                            KText { Layout.fillWidth: true; leftPadding: 12; visible: camp.current
                                    text: qsTr("Shown to signers now")
                                    font.pixelSize: Theme.size.small; font.weight: Font.DemiBold }
                            KText { Layout.fillWidth: true; leftPadding: 12; text: camp.modelData.target
                                    + (camp.modelData.locals > 0 ? " · " + qsTr("%n local campaign(s)", "", camp.modelData.locals) : "")
                                    font.pixelSize: Theme.size.small; color: Theme.color.textMuted }
                        }
                        background: Rectangle {
                            radius: 12
                            color: camp.current ? Theme.color.accentSoft : Theme.color.surface
                            border.width: camp.current ? 3 : 1
                            border.color: camp.current ? Theme.color.accent : Theme.color.divider
                        }
                    }
                }

                Text {
                    visible: page.staff.localCampaigns.length > 0
                    Layout.topMargin: 12
                    Layout.fillWidth: true
                    wrapMode: Text.Wrap
                    text: qsTr("Local campaign")
                    font.pixelSize: Theme.size.body
                    font.weight: Font.Bold
                    color: Theme.color.text
                }
                KText {
                    visible: page.staff.localCampaigns.length > 0
                    Layout.fillWidth: true
                    color: Theme.color.textMuted
                    font.pixelSize: Theme.size.small
                    text: qsTr("By default each signer's ZIP code chooses their local campaign. At an event in one city, fix the kiosk to that city's campaign.")
                }
                Flow {
                    visible: page.staff.localCampaigns.length > 0
                    Layout.fillWidth: true
                    spacing: 10
                    Repeater {
                        model: [ { slug: "", label: qsTr("By ZIP code") } ].concat(page.staff.localCampaigns)
                        // One choice each; the chosen one says so with a tick and in words, as
                        // the campaign shown to signers does (not by its fill alone).
                        KButton {
                            id: fixed
                            required property var modelData
                            readonly property bool current: page.staff.fixedLocal === fixed.modelData.slug
                            objectName: "staff.fixedLocal." + (modelData.slug || "none")
                            kind: fixed.current ? "primary" : "secondary"
                            text: modelData.label
                            measuredText: (fixed.current ? "✓  " : "") + fixed.text
                            // As wide as the wider of its two lines (the words are in a smaller font).
                            TextMetrics { id: wordsMetrics; font: fixedWords.font; text: fixedWords.text }
                            implicitWidth: Math.min(fixed.maxWidth, Math.max(fixed.naturalWidth,
                                                    fixed.current ? Math.ceil(wordsMetrics.advanceWidth) + 2
                                                                    + fixed.leftPadding + fixed.rightPadding : 0))
                            Accessible.role: Accessible.RadioButton
                            Accessible.checkable: true
                            Accessible.checked: fixed.current
                            // Qt Quick's Button writes its own (false) checkable and checked over
                            // these when accessibility turns on (see KCheck.qml): put them back.
                            Accessible.onCheckableChanged: {
                                if (!fixed.Accessible.checkable) {
                                    fixed.Accessible.checkable = true
                                    fixed.Accessible.checked = Qt.binding(() => fixed.current)
                                }
                            }
                            onClicked: page.staff.setFixedLocal(modelData.slug)
                            contentItem: Item {
                                implicitWidth: fixedLines.implicitWidth
                                implicitHeight: fixedLines.implicitHeight
                                Column {
                                    id: fixedLines
                                    width: parent.width
                                    anchors.verticalCenter: parent.verticalCenter
                                    Text {
                                        width: parent.width
                                        text: (fixed.current ? "✓  " : "") + fixed.text
                                        font: fixed.font
                                        textFormat: Text.PlainText
                                        wrapMode: Text.Wrap
                                        horizontalAlignment: Text.AlignHCenter
                                        color: fixed.current ? Theme.color.onPrimary : Theme.color.primary
                                    }
                                    Text {
                                        id: fixedWords
                                        width: parent.width
                                        visible: fixed.current
                                        text: qsTr("In use now")
                                        font.pixelSize: Theme.size.small
                                        font.weight: Font.DemiBold
                                        textFormat: Text.PlainText
                                        wrapMode: Text.Wrap
                                        horizontalAlignment: Text.AlignHCenter
                                        color: Theme.color.onPrimary
                                    }
                                }
                            }
                        }
                    }
                }
            }

            // -- event -------------------------------------------------------------------------
            StaffSection {
                visible: page.section === "event"
                Layout.fillWidth: true
                title: qsTr("Event")
                KText {
                    Layout.fillWidth: true
                    color: Theme.color.textMuted
                    text: page.staff.currentEvent.active
                          ? qsTr("Since %1, signatures are recorded for this event.").arg(page.staff.currentEvent.since)
                          : qsTr("Name the rally or tabling event; new signatures are recorded for it.")
                }
                RowLayout {
                    Layout.fillWidth: true
                    spacing: 24
                    KField {
                        id: eventName
                        Layout.fillWidth: true
                        inputName: "staff.eventName"
                        label: qsTr("Event name")
                        hints: Qt.ImhNoPredictiveText
                        input.text: page.staff.currentEvent.name
                        error: page.say("event", page.staff.eventError)
                    }
                    KField {
                        id: eventLocation
                        Layout.fillWidth: true
                        inputName: "staff.eventLocation"
                        label: qsTr("Location")
                        rule: "optional"
                        hints: Qt.ImhNoPredictiveText
                        input.text: page.staff.currentEvent.location
                    }
                }
                RowLayout {
                    spacing: 16
                    KButton {
                        objectName: "staff.eventSave"
                        text: page.staff.currentEvent.active ? qsTr("Save changes") : qsTr("Start event")
                        onClicked: page.staff.saveEvent(eventName.input.text, eventLocation.input.text)
                    }
                    KButton {
                        objectName: "staff.eventEnd"
                        visible: page.staff.currentEvent.active
                        kind: "secondary"
                        text: qsTr("End event")
                        onClicked: page.staff.endEvent()
                    }
                }
                // A new name for an event that already has signatures: renaming it would move
                // them to the new name, so the volunteer says which it is first.
                ColumnLayout {
                    objectName: "staff.eventQuestionBox"
                    visible: page.staff.eventQuestion.active === true
                    Layout.fillWidth: true
                    spacing: 12
                    KText {
                        objectName: "staff.eventQuestion"
                        Layout.fillWidth: true
                        font.weight: Font.DemiBold
                        Accessible.role: Accessible.AlertMessage
                        Accessible.name: text
                        text: page.staff.eventQuestion.active === true
                              ? qsTr("%n signature(s) were already recorded at “%1”. Is “%2” a new event, or a correction of this one's name?", "", page.staff.eventQuestion.count)
                                    .arg(page.staff.eventQuestion.name).arg(page.staff.eventQuestion.newName)
                              : ""
                    }
                    Flow {
                        Layout.fillWidth: true
                        spacing: 16
                        KButton {
                            objectName: "staff.eventStartNew"
                            text: qsTr("Start a new event")
                            onClicked: page.staff.startNewEvent()
                        }
                        KButton {
                            objectName: "staff.eventRename"
                            kind: "secondary"
                            text: qsTr("Correct this event's name")
                            onClicked: page.staff.renameEvent()
                        }
                        KButton {
                            objectName: "staff.eventKeep"
                            kind: "secondary"
                            text: qsTr("Cancel")
                            onClicked: {
                                page.staff.keepEvent()
                                eventName.input.text = page.staff.currentEvent.name
                                eventLocation.input.text = page.staff.currentEvent.location
                            }
                        }
                    }
                }
            }

            // -- last entries ------------------------------------------------------------------
            StaffSection {
                visible: page.section === "entries"
                Layout.fillWidth: true
                title: qsTr("Last entries")
                KText {
                    Layout.fillWidth: true
                    color: Theme.color.textMuted
                    font.pixelSize: Theme.size.small
                    text: page.staff.namesUnlocked
                          ? qsTr("Names are shown until you hide them or leave staff mode.")
                          : page.staff.namesAvailable
                            ? qsTr("Names are encrypted. The coordinator's passphrase shows them.")
                            : qsTr("Names are encrypted and cannot be shown on this kiosk.")
                }
                // Once the names show (or the row hides some other way) the passphrase is done
                // with: its text goes, and the focus leaves the field with the on-screen
                // keyboard (which stayed up over the names), as the Exports passphrase does.
                RowLayout {
                    visible: page.staff.namesAvailable && !page.staff.namesUnlocked
                    Layout.fillWidth: true
                    spacing: 16
                    onVisibleChanged: if (!visible) page.leavePassphrase()
                    KField {
                        id: unlockPass
                        Layout.fillWidth: true
                        inputName: "staff.unlockPassphrase"
                        label: qsTr("Coordinator passphrase")
                        echo: TextInput.Password
                        hints: Qt.ImhSensitiveData | Qt.ImhNoPredictiveText | Qt.ImhNoAutoUppercase
                        maxLength: 200
                        last: true
                        error: page.staff.unlockFailed ? page.say("unlock", "wrong") : ""
                        onSubmitted: page.staff.unlockNames(unlockPass.input.text)
                    }
                    KButton {
                        objectName: "staff.unlockNames"
                        Layout.alignment: Qt.AlignBottom
                        text: page.staff.unlockBusy ? qsTr("Opening…") : qsTr("Show names")
                        enabled: !page.staff.unlockBusy && unlockPass.input.text !== ""
                        onClicked: { page.staff.unlockNames(unlockPass.input.text); unlockPass.input.text = "" }
                    }
                }
                KButton {
                    objectName: "staff.lockNames"
                    visible: page.staff.namesUnlocked
                    kind: "secondary"
                    text: qsTr("Hide names")
                    onClicked: page.staff.lockNames()
                }
                KText {
                    visible: page.staff.entries.length === 0
                    text: qsTr("No signatures on this kiosk yet.")
                    color: Theme.color.textMuted
                }
                Repeater {
                    objectName: "staff.entries"
                    model: page.staff.entries
                    Rectangle {
                        id: row
                        required property var modelData
                        required property int index
                        objectName: "staff.entry." + index
                        Layout.fillWidth: true
                        implicitHeight: rowLayout.implicitHeight + 28
                        radius: 12
                        color: modelData.void ? Theme.color.surfaceAlt : Theme.color.surface
                        border.width: page.voidId === modelData.id ? 3 : 1
                        border.color: page.voidId === modelData.id ? Theme.color.error : Theme.color.divider
                        ColumnLayout {
                            id: rowLayout
                            anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; margins: 18 }
                            spacing: 10
                            // The time, then the entry's lines, then "Void…"; in a narrow
                            // section (a portrait tablet) "Void…" goes under the lines, which
                            // keep the room to wrap in a few lines.
                            GridLayout {
                                id: entryGrid
                                readonly property bool stacked: rowLayout.width < 640
                                Layout.fillWidth: true
                                columns: entryGrid.stacked ? 2 : 3
                                columnSpacing: 16
                                rowSpacing: 10
                                Text { objectName: "staff.entry." + row.index + ".time"
                                       Layout.row: 0; Layout.column: 0
                                       text: row.modelData.time; font.pixelSize: Theme.size.body; font.weight: Font.Bold
                                       color: Theme.color.text; Layout.preferredWidth: page.narrow ? 100 : 150 }
                                ColumnLayout {
                                    Layout.row: 0; Layout.column: 1
                                    Layout.fillWidth: true
                                    spacing: 2
                                    KText {
                                        objectName: "staff.entry." + row.index + ".name"
                                        Layout.fillWidth: true
                                        visible: text !== ""
                                        text: row.modelData.name
                                        font.weight: Font.Bold
                                    }
                                    KText {
                                        objectName: "staff.entry." + row.index + ".campaign"
                                        Layout.fillWidth: true
                                        // Wrapped, never cut: the place and the signer's
                                        // language at its end were lost in portrait.
                                        text: row.modelData.campaign + (row.modelData.local ? " · " + row.modelData.local : "")
                                              + " · " + row.modelData.lang
                                        font.pixelSize: Theme.size.small
                                        color: Theme.color.textMuted
                                    }
                                    KText {
                                        objectName: "staff.entry." + row.index + ".void"
                                        Layout.fillWidth: true
                                        visible: row.modelData.void
                                        text: qsTr("Void: %1").arg(row.modelData.voidReason)
                                        font.pixelSize: Theme.size.small
                                        font.weight: Font.Bold
                                        color: Theme.color.error
                                    }
                                }
                                KButton {
                                    objectName: "staff.entry." + row.index + ".voidButton"
                                    Layout.row: entryGrid.stacked ? 1 : 0
                                    Layout.column: entryGrid.stacked ? 1 : 2
                                    visible: !row.modelData.void && page.voidId !== row.modelData.id
                                    Layout.minimumWidth: implicitWidth  // the text beside it wraps first
                                    kind: "secondary"
                                    text: qsTr("Void…")
                                    onClicked: { page.staff.clearVoidError(); page.voidId = row.modelData.id }
                                }
                            }
                            ColumnLayout {
                                visible: page.voidId === row.modelData.id
                                Layout.fillWidth: true
                                spacing: 10
                                KField {
                                    id: reason
                                    Layout.fillWidth: true
                                    inputName: "staff.entry." + row.index + ".reason"
                                    label: qsTr("Why is this entry void?")
                                    hints: Qt.ImhNoPredictiveText
                                    maxLength: 200
                                    error: page.voidId === row.modelData.id ? page.staff.voidError : ""
                                    revealWith: voidActions  // "Void entry" is not left under the keyboard
                                }
                                RowLayout {
                                    id: voidActions
                                    Layout.fillWidth: true
                                    spacing: 16
                                    KText {
                                        Layout.fillWidth: true
                                        text: qsTr("The entry is kept and marked void, never deleted. Write no name or contact in the reason: it is stored and sent to the server as written.")
                                        font.pixelSize: Theme.size.small
                                        color: Theme.color.textMuted
                                    }
                                    KButton {
                                        objectName: "staff.entry." + row.index + ".voidCancel"
                                        Layout.minimumWidth: implicitWidth  // the note beside them wraps first
                                        kind: "secondary"
                                        text: qsTr("Cancel")
                                        onClicked: { page.voidId = ""; page.staff.clearVoidError() }
                                    }
                                    KButton {
                                        objectName: "staff.entry." + row.index + ".voidConfirm"
                                        Layout.minimumWidth: implicitWidth  // the note beside them wraps first
                                        kind: "danger"
                                        text: qsTr("Void entry")
                                        onClicked: page.voidEntry(row.modelData.id, reason.input.text)
                                    }
                                }
                            }
                        }
                    }
                }
            }

            // -- sync --------------------------------------------------------------------------
            StaffSection {
                id: syncSec
                visible: page.section === "sync"
                Layout.fillWidth: true
                title: qsTr("Sync")
                readonly property var st: page.sync.state
                KText {
                    objectName: "staff.sync.status"
                    Layout.fillWidth: true
                    font.weight: Font.Bold
                    text: !syncSec.st.connected ? page.say("sync", "not_connected")
                          : syncSec.st.running ? qsTr("Syncing with %1…").arg(syncSec.st.serverUrl)
                          : qsTr("Connected to %1.").arg(syncSec.st.serverUrl)
                }
                KText {
                    objectName: "staff.sync.pending"
                    Layout.fillWidth: true
                    text: qsTr("%n record(s) waiting to be sent to the server (signatures and voids).", "", syncSec.st.pending || 0)
                }
                KText {
                    Layout.fillWidth: true
                    visible: (syncSec.st.lastSuccess || "") !== ""
                    text: qsTr("Last successful sync: %1").arg(syncSec.st.lastSuccess || "")
                    color: Theme.color.textMuted
                }
                KText {
                    objectName: "staff.sync.error"
                    Layout.fillWidth: true
                    visible: (syncSec.st.error || "") !== ""
                    text: (syncSec.st.error || "") + ((syncSec.st.nextAttempt || "") !== ""
                          ? " " + qsTr("Next try: %1.").arg(syncSec.st.nextAttempt) : "")
                    color: Theme.color.error
                }
                // Refused signatures stay pending: say so, and why, or the count never goes down
                // with no word (a kiosk clock set years back, a campaign the server lacks).
                KText {
                    objectName: "staff.sync.refused"
                    Layout.fillWidth: true
                    visible: (syncSec.st.refused || 0) > 0
                    text: qsTr("The server refused %n signature(s). They stay on this kiosk and are sent again at every sync; ask your coordinator.", "", syncSec.st.refused || 0)
                          + ((syncSec.st.refusedReasons || "") !== "" ? " " + qsTr("Server's reason: %1").arg(syncSec.st.refusedReasons) : "")
                    color: Theme.color.error
                }
                KText {
                    Layout.fillWidth: true
                    visible: (syncSec.st.conflicts || 0) > 0
                    text: qsTr("%n signature(s) differ from the server's copy and are kept for review.", "", syncSec.st.conflicts || 0)
                    color: Theme.color.error
                }
                KButton {
                    objectName: "staff.syncNow"
                    visible: syncSec.st.available && syncSec.st.connected
                    text: qsTr("Sync now")
                    enabled: !syncSec.st.running
                    onClicked: page.sync.syncNow()
                }
                // Connecting needs a sync engine; without one there is no form that could do nothing.
                ColumnLayout {
                    visible: syncSec.st.available && !syncSec.st.connected
                    Layout.fillWidth: true
                    spacing: 12
                    RowLayout {
                        Layout.fillWidth: true
                        spacing: 24
                        KField {
                            id: serverUrl
                            Layout.fillWidth: true
                            inputName: "staff.serverUrl"
                            label: qsTr("Server address")
                            hints: Qt.ImhUrlCharactersOnly | Qt.ImhNoPredictiveText | Qt.ImhNoAutoUppercase
                            maxLength: 300
                        }
                        KField {
                            id: enrollCode
                            Layout.fillWidth: true
                            inputName: "staff.enrollCode"
                            label: qsTr("One-time code")
                            hints: Qt.ImhNoPredictiveText | Qt.ImhNoAutoUppercase
                            maxLength: 100
                        }
                    }
                    // Plain http to another machine needs staff's explicit, audited consent.
                    Switch {
                        id: allowInsecure
                        objectName: "staff.allowInsecure"
                        Layout.fillWidth: true
                        focusPolicy: Qt.NoFocus
                        implicitHeight: 64
                        spacing: 18
                        text: qsTr("Allow unencrypted connection (local network only)")
                        Accessible.name: text
                        // The warning below must not hide behind the keyboard.
                        onToggled: Qt.inputMethod.hide()  // qmllint disable missing-property
                        indicator: Rectangle {
                            x: allowInsecure.leftPadding
                            y: (allowInsecure.height - height) / 2
                            implicitWidth: 76
                            implicitHeight: 42
                            radius: 21
                            color: allowInsecure.checked ? Theme.color.error : Theme.color.surface
                            border.width: 2
                            border.color: allowInsecure.checked ? Theme.color.error : Theme.color.outline
                            Rectangle {
                                x: allowInsecure.checked ? parent.width - width - 5 : 5
                                anchors.verticalCenter: parent.verticalCenter
                                width: 32
                                height: 32
                                radius: 16
                                color: allowInsecure.checked ? Theme.color.onPrimary : Theme.color.outline
                                Behavior on x { NumberAnimation { duration: 90 } }
                            }
                        }
                        contentItem: KText {
                            leftPadding: allowInsecure.indicator.width + allowInsecure.spacing
                            text: allowInsecure.text
                            verticalAlignment: Text.AlignVCenter
                        }
                    }
                    KText {
                        objectName: "staff.allowInsecure.warning"
                        Layout.fillWidth: true
                        visible: allowInsecure.checked
                        text: qsTr("Without encryption, anyone on this network can read this kiosk's access token and what it sends (personal data stays sealed). Use this only for a server on a network you trust, never over the internet.")
                        font.pixelSize: Theme.size.small
                        font.weight: Font.DemiBold
                        color: Theme.color.error
                    }
                    KText {
                        objectName: "staff.connectError"
                        Layout.fillWidth: true
                        visible: text !== ""
                        text: page.sync.connectState.error || ""
                        color: Theme.color.error
                    }
                    KButton {
                        objectName: "staff.connect"
                        text: page.sync.connectState.busy ? qsTr("Connecting…") : qsTr("Connect to server")
                        enabled: !page.sync.connectState.busy && serverUrl.input.text !== "" && enrollCode.input.text !== ""
                        onClicked: page.sync.connectServer(serverUrl.input.text, enrollCode.input.text, allowInsecure.checked)
                    }
                }
            }

            // -- exports (ExportsSection.qml, view-model kiosk/ui/exports_panel.py) ------------
            ExportsSection {
                visible: page.section === "exports"
                Layout.fillWidth: true
                app: page.app
            }

            // -- privacy (PrivacySection.qml, view-model kiosk/ui/privacy_panel.py) ------------
            PrivacySection {
                visible: page.section === "privacy"
                Layout.fillWidth: true
                app: page.app
            }
        }
    }
}
