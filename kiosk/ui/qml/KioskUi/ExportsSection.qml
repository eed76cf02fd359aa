// Staff mode: exports. Choose what, unlock, make (with progress and Cancel), preview the
// pages, save to a USB stick or the exports folder, print. View-model: kiosk/ui/exports_panel.py.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts
import Kiosk

StaffSection {
    id: sec
    objectName: "staff.exports"
    required property var app
    readonly property var ex: app.exports
    readonly property bool making: ex.state === "making"
    readonly property bool ready: ex.state === "ready"
    readonly property var res: ex.result
    readonly property var pst: ex.printStatus
    readonly property bool printBusy: ["making", "sending", "queued", "printing", "cancelling"].indexOf(pst.state) >= 0
    title: qsTr("Exports")

    onVisibleChanged: if (visible) ex.refresh()
    Component.onCompleted: if (visible) ex.refresh()

    // A choice among a few: filled when chosen.
    component Chip: KButton {
        id: chip
        property bool chosen: false
        kind: chosen ? "primary" : "secondary"
        font.pixelSize: Theme.size.body
        width: Math.min(implicitWidth, parent ? parent.width : implicitWidth)
        implicitHeight: Math.max(64, chipText.implicitHeight + 20)
        implicitWidth: Math.max(96, chipMetrics.advanceWidth + leftPadding + rightPadding + 4)
        TextMetrics { id: chipMetrics; font: chip.font; text: chip.text }
        // Long campaign titles wrap instead of being cut (a portrait tablet: several lines).
        contentItem: Text {
            id: chipText
            text: chip.text
            font: chip.font
            textFormat: Text.PlainText
            wrapMode: Text.Wrap
            horizontalAlignment: Text.AlignHCenter
            verticalAlignment: Text.AlignVCenter
            color: !chip.enabled ? Theme.color.onDisabled
                  : chip.chosen ? Theme.color.onPrimary : Theme.color.primary
        }
        Accessible.role: Accessible.RadioButton
        Accessible.checkable: true
        Accessible.checked: chosen
    }
    // The name of a row of choices.
    component Caption: Text {
        // Narrower beside a narrow section (a portrait tablet), so its choices keep room.
        Layout.preferredWidth: sec.width < 640 ? 120 : 190
        Layout.maximumWidth: sec.width < 640 ? 120 : 190
        Layout.alignment: Qt.AlignTop
        topPadding: 18
        wrapMode: Text.Wrap
        font.pixelSize: Theme.size.small + 1
        font.weight: Font.DemiBold
        color: Theme.color.text
    }
    component Heading: Text {
        Layout.topMargin: 14
        font.pixelSize: Theme.size.body + 2
        font.weight: Font.Bold
        color: Theme.color.text
    }
    component Check: CheckBox {
        id: cb
        Layout.fillWidth: true
        focusPolicy: Qt.NoFocus
        implicitHeight: Math.max(60, implicitContentHeight + topPadding + bottomPadding)
        spacing: 16
        padding: 6
        font.pixelSize: Theme.size.body
        Accessible.name: text
        indicator: Rectangle {
            x: cb.leftPadding
            y: (cb.height - height) / 2
            implicitWidth: 44
            implicitHeight: 44
            radius: 10
            color: cb.checked ? Theme.color.primary : Theme.color.surface
            border.width: 2
            border.color: cb.checked ? Theme.color.primary : Theme.color.outline
            Text {
                anchors.centerIn: parent
                visible: cb.checked
                text: "✓"
                color: Theme.color.onPrimary
                font.pixelSize: 28
                font.weight: Font.Bold
            }
        }
        contentItem: Text {
            leftPadding: cb.indicator.width + cb.spacing
            text: cb.text
            font: cb.font
            color: Theme.color.text
            wrapMode: Text.Wrap
            verticalAlignment: Text.AlignVCenter
        }
    }

    // The passphrase goes to the view-model, then out of the field and the keyboard.
    function unlockNow() {
        ex.unlock(pass.input.text)
        pass.input.text = ""
        pass.input.focus = false
        Qt.inputMethod.hide()  // qmllint disable missing-property
    }

    function saveText(s) {
        if (s.state === "saved" && s.onTablet)
            return qsTr("Saved to %1: %2. On this tablet it is deleted after a day, or by “Delete now” (Privacy): copy it to a USB stick, or print it.").arg(s.where).arg(s.files.join(", "))
        if (s.state === "saved")
            return qsTr("Saved to %1: %2").arg(s.where).arg(s.files.join(", "))
        if (s.state === "saving")
            return qsTr("Saving…")
        if (s.state !== "failed")
            return ""
        return sec.say("save", s.error || "failed")
    }

    // Problems are codes; kiosk/ui/messages.py words them (the one place). Passing the language
    // makes the binding re-word them when it changes.
    function say(kind, code) {
        return sec.app.i18n.message(sec.app.i18n.language, kind, code, 0)
    }

    function printText(p) {
        if (p.state === "making") return qsTr("Making the packet…")
        if (p.state === "sending") return qsTr("Sending to the printer…")
        if (p.state === "queued") return qsTr("Waiting in the printer's queue…")
        if (p.state === "printing") return qsTr("Printing…")
        if (p.state === "cancelling") return qsTr("Cancelling…")
        if (p.state === "done") return p.error ? sec.say("print", p.error) : qsTr("Printed.")
        if (p.state === "cancelled") return qsTr("Printing cancelled.")
        if (p.state === "failed") return sec.say("print", p.error || "failed")
        return ""
    }

    // -- the coordinator's key -------------------------------------------------------------
    KText {
        objectName: "exports.keyState"
        Layout.fillWidth: true
        color: Theme.color.textMuted
        font.pixelSize: Theme.size.small
        text: !sec.ex.keyAvailable
              ? qsTr("Signatures cannot be opened on this kiosk: the coordinator's key is not here. Counts still work.")
              : sec.ex.unlocked
                ? qsTr("The coordinator's key is open until you lock it or leave staff mode.")
                : qsTr("Names and signatures are encrypted. Making an export needs the coordinator's passphrase.")
    }
    RowLayout {
        visible: sec.ex.keyAvailable && !sec.ex.unlocked
        Layout.fillWidth: true
        spacing: 16
        KField {
            id: pass
            Layout.fillWidth: true
            inputName: "exports.passphrase"
            label: qsTr("Coordinator passphrase")
            echo: TextInput.Password
            hints: Qt.ImhSensitiveData | Qt.ImhNoPredictiveText | Qt.ImhNoAutoUppercase
            maxLength: 200
            last: true
            error: sec.ex.unlockFailed ? sec.say("unlock", "wrong") : ""
            onSubmitted: sec.unlockNow()
        }
        KButton {
            objectName: "exports.unlock"
            Layout.minimumWidth: implicitWidth  // the field beside it narrows first
            Layout.alignment: Qt.AlignBottom
            Layout.bottomMargin: pass.error !== "" ? 30 : 0
            text: sec.ex.unlockBusy ? qsTr("Opening…") : qsTr("Unlock")
            enabled: !sec.ex.unlockBusy && pass.input.text !== ""
            onClicked: sec.unlockNow()
        }
    }
    KButton {
        objectName: "exports.lock"
        visible: sec.ex.unlocked
        kind: "secondary"
        text: qsTr("Lock")
        onClicked: sec.ex.lock()
    }

    // -- what to export --------------------------------------------------------------------
    Heading { text: qsTr("What to export") }
    GridLayout {
        Layout.fillWidth: true
        columns: sec.width < 760 ? 1 : 2
        columnSpacing: 20
        rowSpacing: 12

        Caption { text: qsTr("Campaign") }
        Flow {
            Layout.fillWidth: true
            spacing: 10
            Repeater {
                model: sec.ex.campaigns
                Chip {
                    required property var modelData
                    objectName: "exports.campaign." + modelData.slug
                    text: modelData.title
                    chosen: modelData.chosen
                    onClicked: sec.ex.setCampaign(modelData.slug)
                }
            }
        }

        Caption { visible: sec.ex.localCampaigns.length > 0; text: qsTr("Local campaigns") }
        Flow {
            visible: sec.ex.localCampaigns.length > 0
            Layout.fillWidth: true
            spacing: 10
            Chip {
                objectName: "exports.local.each"
                text: qsTr("One packet per local campaign")
                chosen: sec.ex.localChoice === "*"
                onClicked: sec.ex.setLocal("*")
            }
            Chip {
                objectName: "exports.local.all"
                text: qsTr("All in one")
                chosen: sec.ex.localChoice === ""
                onClicked: sec.ex.setLocal("")
            }
            Repeater {
                model: sec.ex.localCampaigns
                Chip {
                    required property var modelData
                    objectName: "exports.local." + modelData.slug
                    text: modelData.label
                    chosen: sec.ex.localChoice === modelData.slug
                    onClicked: sec.ex.setLocal(modelData.slug)
                }
            }
        }

        Caption { text: qsTr("Signed") }
        Flow {
            Layout.fillWidth: true
            spacing: 10
            Repeater {
                model: [
                    { key: "today", label: qsTr("Today") },
                    { key: "week", label: qsTr("Last 7 days") },
                    { key: "month", label: qsTr("Last 30 days") },
                    { key: "all", label: qsTr("Any time") }
                ]
                Chip {
                    required property var modelData
                    objectName: "exports.period." + modelData.key
                    text: modelData.label
                    chosen: sec.ex.period === modelData.key
                    onClicked: sec.ex.setPeriod(modelData.key)
                }
            }
        }

        Caption { visible: sec.ex.events.length > 0; text: qsTr("Event") }
        Flow {
            visible: sec.ex.events.length > 0
            Layout.fillWidth: true
            spacing: 10
            Chip {
                objectName: "exports.event.all"
                text: qsTr("All events")
                chosen: sec.ex.eventChoice === ""
                onClicked: sec.ex.setEvent("")
            }
            Repeater {
                model: sec.ex.events
                Chip {
                    required property var modelData
                    required property int index
                    objectName: "exports.event." + index
                    text: modelData.label + " (" + modelData.date + ")"
                    chosen: sec.ex.eventChoice === modelData.id
                    onClicked: sec.ex.setEvent(modelData.id)
                }
            }
        }

        Caption { text: qsTr("Make") }
        Flow {
            Layout.fillWidth: true
            spacing: 10
            Chip {
                objectName: "exports.kind.pdf"
                text: qsTr("Signature packet (PDF)")
                chosen: sec.ex.kind === "pdf"
                onClicked: sec.ex.setKind("pdf")
            }
            Chip {
                objectName: "exports.kind.csv"
                text: qsTr("Contact list (CSV)")
                chosen: sec.ex.kind === "csv"
                onClicked: sec.ex.setKind("csv")
            }
        }

        Caption { visible: sec.ex.kind === "pdf"; text: qsTr("Paper") }
        Flow {
            visible: sec.ex.kind === "pdf"
            Layout.fillWidth: true
            spacing: 10
            Chip { objectName: "exports.paper.letter"; text: qsTr("Letter"); chosen: sec.ex.paper === "letter"
                   onClicked: sec.ex.setPaper("letter") }
            Chip { objectName: "exports.paper.a4"; text: qsTr("A4"); chosen: sec.ex.paper === "a4"
                   onClicked: sec.ex.setPaper("a4") }
        }

        Caption { visible: sec.ex.kind === "pdf"; text: qsTr("Signatures per sheet") }
        Flow {
            visible: sec.ex.kind === "pdf"
            Layout.fillWidth: true
            spacing: 10
            Repeater {
                model: sec.ex.rowsChoices
                Chip {
                    required property var modelData
                    objectName: "exports.rows." + modelData
                    text: sec.app.i18n.number(modelData)
                    chosen: sec.ex.rowsPerSheet === modelData
                    onClicked: sec.ex.setRowsPerSheet(modelData)
                }
            }
        }
    }
    Check {
        objectName: "exports.optedIn"
        visible: sec.ex.kind === "csv"
        text: qsTr("Only signers who opted in to updates")
        checked: sec.ex.optedInOnly
        onToggled: sec.ex.setOptedInOnly(checked)
    }
    Check {
        objectName: "exports.excel"
        visible: sec.ex.kind === "csv"
        text: qsTr("For Excel (Windows): letters such as á and ñ show correctly")
        checked: sec.ex.excel
        onToggled: sec.ex.setExcel(checked)
    }
    Check {
        objectName: "exports.synthetic"
        text: qsTr("Include synthetic test signatures")
        checked: sec.ex.includeSynthetic
        onToggled: sec.ex.setIncludeSynthetic(checked)
    }
    KText {
        objectName: "exports.count"
        Layout.fillWidth: true
        font.weight: Font.Bold
        color: Theme.color.accent
        text: qsTr("Matching signatures: %1").arg(sec.ex.matchText)
              + (sec.ex.kind === "csv" && sec.ex.optedInOnly ? " " + qsTr("(before leaving out those who did not opt in)") : "")
    }

    // -- make --------------------------------------------------------------------------------
    RowLayout {
        Layout.fillWidth: true
        spacing: 16
        KButton {
            objectName: "exports.make"
            text: sec.ex.kind === "pdf" ? qsTr("Make packet") : qsTr("Make contact list")
            enabled: !sec.making && sec.ex.matchCount > 0
            onClicked: sec.ex.make()
        }
        KButton {
            objectName: "exports.cancel"
            visible: sec.making
            kind: "secondary"
            text: qsTr("Cancel")
            onClicked: sec.ex.cancel()
        }
        ColumnLayout {
            Layout.fillWidth: true
            visible: sec.making
            spacing: 6
            Rectangle {
                objectName: "exports.progress"
                Layout.fillWidth: true
                implicitHeight: 14
                radius: 7
                color: Theme.color.track
                Accessible.role: Accessible.ProgressBar
                Accessible.name: progressText.text
                Rectangle {
                    width: Math.max(height, parent.width * (sec.ex.progress.fraction || 0))
                    height: parent.height
                    radius: height / 2
                    color: Theme.color.accent
                }
            }
            Text {
                id: progressText
                objectName: "exports.progressText"
                Layout.fillWidth: true
                font.pixelSize: Theme.size.small
                color: Theme.color.textMuted
                text: sec.ex.progress.stage === "rendering"
                      ? qsTr("Drawing pages: %1 of %2").arg(sec.ex.progress.done).arg(sec.ex.progress.total)
                      : qsTr("Opening signatures: %1 of %2").arg(sec.ex.progress.done).arg(sec.ex.progress.total)
            }
        }
    }
    KText {
        objectName: "exports.error"
        Layout.fillWidth: true
        visible: text !== ""
        color: sec.ex.state === "cancelled" ? Theme.color.textMuted : Theme.color.error
        font.weight: Font.DemiBold
        text: sec.say("export", sec.ex.state === "cancelled" ? "cancelled" : sec.ex.error)
    }

    // -- the result: preview, save, print ----------------------------------------------------
    KText {
        objectName: "exports.summary"
        Layout.fillWidth: true
        visible: sec.ready
        font.weight: Font.Bold
        text: !sec.ready ? ""
              : sec.res.kind === "pdf"
                ? qsTr("Packet ready. Signatures: %1 · Pages: %2 · Files: %3").arg(sec.res.rowsText).arg(sec.res.pagesText).arg(sec.res.files)
                : qsTr("Contact list ready. Rows: %1 · Opted in to updates: %2").arg(sec.res.rowsText).arg(sec.res.optedInText)
    }
    KText {
        Layout.fillWidth: true
        visible: sec.ready && (sec.res.purged > 0 || sec.res.undecryptable > 0)
        font.pixelSize: Theme.size.small
        color: Theme.color.textMuted
        text: !sec.ready ? ""
              : (sec.res.purged > 0 ? qsTr("%n signature(s) left out: their personal data was deleted after sync (export them from the server).", "", sec.res.purged) + " " : "")
                + (sec.res.undecryptable > 0 ? qsTr("%n signature(s) could not be opened with this key.", "", sec.res.undecryptable) : "")
    }

    // The preview beside the files, save and print; one above the other on a portrait tablet.
    GridLayout {
        id: result
        visible: sec.ready
        Layout.fillWidth: true
        columns: sec.width < 760 ? 1 : 2
        columnSpacing: 28
        rowSpacing: 20
        readonly property real previewWidth: Math.min(420, sec.width)

        // The page preview (PDF only).
        ColumnLayout {
            visible: sec.res.kind === "pdf"
            Layout.alignment: Qt.AlignTop
            spacing: 10
            Rectangle {
                Layout.preferredWidth: result.previewWidth
                Layout.preferredHeight: preview.implicitWidth > 1
                                        ? Math.round(result.previewWidth * preview.implicitHeight / preview.implicitWidth) + 2
                                        : Math.round(result.previewWidth * 545 / 420)
                color: Theme.color.surface
                border.width: 1
                border.color: Theme.color.outline
                Image {
                    id: preview
                    objectName: "exports.preview"
                    anchors.fill: parent
                    anchors.margins: 1
                    source: sec.ex.preview.source
                    cache: false
                    asynchronous: false
                    fillMode: Image.PreserveAspectFit
                    smooth: true
                    mipmap: true
                    Accessible.role: Accessible.Graphic
                    Accessible.name: qsTr("Preview of page %1 of %2").arg(sec.ex.preview.pageText).arg(sec.ex.preview.pagesText)
                }
            }
            RowLayout {
                Layout.preferredWidth: result.previewWidth
                spacing: 10
                KButton {
                    objectName: "exports.prevPage"
                    kind: "secondary"
                    text: "‹"
                    Accessible.name: qsTr("Previous page")
                    enabled: sec.ex.preview.page > 0
                    onClicked: sec.ex.previousPage()
                }
                Text {
                    objectName: "exports.pageLabel"
                    Layout.fillWidth: true
                    horizontalAlignment: Text.AlignHCenter
                    font.pixelSize: Theme.size.body
                    color: Theme.color.text
                    text: qsTr("Page %1 of %2").arg(sec.ex.preview.pageText).arg(sec.ex.preview.pagesText)
                }
                KButton {
                    objectName: "exports.nextPage"
                    kind: "secondary"
                    text: "›"
                    Accessible.name: qsTr("Next page")
                    enabled: sec.ex.preview.page + 1 < sec.ex.preview.pages
                    onClicked: sec.ex.nextPage()
                }
            }
        }

        // Files, save and print.
        ColumnLayout {
            Layout.fillWidth: true
            Layout.alignment: Qt.AlignTop
            spacing: 12

            Heading { visible: sec.res.files > 1; Layout.topMargin: 0; text: qsTr("Files") }
            Flow {
                visible: sec.res.files > 1
                Layout.fillWidth: true
                spacing: 8
                Repeater {
                    model: sec.ready ? sec.res.fileList : []
                    Chip {
                        required property var modelData
                        required property int index
                        objectName: "exports.file." + index
                        text: modelData.name + " · " + sec.app.i18n.number(modelData.rows)
                        chosen: sec.ex.preview.file === index
                        onClicked: sec.ex.showFile(index)
                    }
                }
            }

            Heading { Layout.topMargin: sec.res.files > 1 ? 14 : 0; text: qsTr("Save to") }
            Flow {
                Layout.fillWidth: true
                spacing: 8
                Repeater {
                    model: sec.ex.destinationList
                    Chip {
                        required property var modelData
                        required property int index
                        objectName: "exports.dest." + index
                        text: modelData.kind === "usb" ? qsTr("USB stick %1").arg(modelData.label)
                                                       : qsTr("Exports folder")
                        chosen: modelData.chosen
                        onClicked: sec.ex.setDestination(index)
                    }
                }
                KButton {
                    objectName: "exports.refreshDest"
                    kind: "quiet"
                    text: qsTr("Look for USB sticks")
                    onClicked: sec.ex.refreshDestinations()
                }
            }
            KText {
                Layout.fillWidth: true
                font.pixelSize: Theme.size.small
                color: Theme.color.textMuted
                text: {
                    var l = sec.ex.destinationList
                    for (let i = 0; i < l.length; i++)
                        if (l[i].chosen) return l[i].path
                    return ""
                }
            }
            KButton {
                objectName: "exports.save"
                text: qsTr("Save")
                enabled: sec.ready && sec.ex.saveStatus.state !== "saving" && sec.ex.destinationList.length > 0
                onClicked: sec.ex.save()
            }
            KText {
                objectName: "exports.saveMessage"
                Layout.fillWidth: true
                visible: text !== ""
                font.pixelSize: Theme.size.small
                font.weight: Font.DemiBold
                color: sec.ex.saveStatus.state === "failed" ? Theme.color.error : Theme.color.accent
                text: sec.saveText(sec.ex.saveStatus)
            }

            // Plain-text CSV summary in place of a preview.
            KText {
                objectName: "exports.csvSummary"
                visible: sec.res.kind === "csv"
                Layout.fillWidth: true
                font.pixelSize: Theme.size.small
                color: Theme.color.textMuted
                text: qsTr("The contact list has names, email addresses, phone numbers and the consent each signer gave. Keep it safe and delete it when the follow-up is done.")
            }
        }
    }

    // -- print (PDF) ---------------------------------------------------------------------------
    ColumnLayout {
        visible: sec.ex.kind === "pdf"
        Layout.fillWidth: true
        spacing: 12
        Heading { text: qsTr("Print") }
        KText {
            objectName: "exports.printers.error"
            Layout.fillWidth: true
            visible: sec.pst.printersError !== ""
            font.pixelSize: Theme.size.small
            color: Theme.color.error
            text: sec.say("print", sec.pst.printersError)
        }
        Flow {
            Layout.fillWidth: true
            spacing: 8
            Repeater {
                model: sec.ex.printerList
                Chip {
                    required property var modelData
                    required property int index
                    objectName: "exports.printer." + index
                    text: modelData["default"] ? qsTr("%1 (default)").arg(modelData.name) : modelData.name
                    chosen: modelData.chosen
                    onClicked: sec.ex.setPrinter(modelData.name)
                }
            }
        }
        RowLayout {
            spacing: 16
            KButton {
                objectName: "exports.print"
                text: qsTr("Print")
                enabled: !sec.printBusy && !sec.making && sec.pst.printer !== ""
                         && (sec.ex.unlocked || (sec.ready && sec.res.kind === "pdf"))
                onClicked: sec.ex.printExport()
            }
            KButton {
                objectName: "exports.printCancel"
                visible: sec.printBusy
                kind: "secondary"
                text: qsTr("Cancel printing")
                enabled: sec.pst.state !== "cancelling"
                onClicked: sec.ex.cancelPrint()
            }
        }
        KText {
            objectName: "exports.printStatus"
            Layout.fillWidth: true
            visible: text !== ""
            font.weight: Font.DemiBold
            color: sec.pst.state === "failed" || sec.pst.error !== "" ? Theme.color.error : Theme.color.accent
            text: sec.printText(sec.pst)
        }
    }
}
