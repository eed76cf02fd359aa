// The local campaign the signer's ZIP routed to, to confirm or change.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts
import Kiosk

FadePage {
    id: page
    scrollArea: flick
    objectName: "local.page"
    speech: page.app.speech
    spokenTitle: qsTr("Your local campaign")
    // With an offer, "Or sign the main campaign:" comes between the offer and the main
    // campaign's target (heard without it, the main target sounded like the offered one).
    spokenText: explainText.text + " " + (page.offering ? orMain.text + " " : "")
                + (page.s.target || "") + ". " + (page.s.title || "")
    required property var app
    readonly property var flow: app.flow
    readonly property var s: flow.signing
    property bool choosing: false
    // Another installed campaign addresses the signer's place (no local campaign here).
    readonly property var offer: flow.offer
    readonly property bool offering: !choosing && (offer.slug || "") !== "" && !offer.taken

    function resetScroll() { flick.contentY = 0 }
    // Runs on the page: closing the list destroys the delegate that was tapped.
    function pick(slug) {
        choosing = false
        resetScroll()
        flow.chooseLocal(slug)
    }
    onShownChanged: if (shown) { choosing = false; resetScroll() }
    function focusCurrentOption() {
        let first = null
        for (let i = 0; i < options.count; ++i) {
            const item = options.itemAt(i)
            if (!item)
                continue
            if (!first)
                first = item
            if (item.objectName === "local.option." + (page.flow.chosenLocal || "none")) {
                item.forceActiveFocus()
                return
            }
        }
        if (first)
            first.forceActiveFocus()
    }

    TopBar { id: bar; app: page.app; caption: page.flow.petition.title || ""
             anchors { left: parent.left; right: parent.right; top: parent.top } }

    KScroll {
        id: flick
        tabStop: true
        objectName: "local.scroll"
        anchors { top: bar.bottom; bottom: actions.top; left: parent.left; right: parent.right }
        contentWidth: width
        contentHeight: col.implicitHeight + 64
        clip: true
        boundsBehavior: Flickable.StopAtBounds
        ScrollBar.vertical: ScrollBar { policy: ScrollBar.AsNeeded; width: 14 }

        ColumnLayout {
            id: col
            x: (flick.width - width) / 2
            y: 32
            width: Math.min(flick.width - 120, 920)
            spacing: 18

            KText {
                Layout.fillWidth: true
                lineHeight: 1.0
                text: page.choosing ? qsTr("Choose your local campaign") : qsTr("Your local campaign")
                font.pixelSize: Theme.size.title
                font.weight: Font.Bold
                color: Theme.color.text
            }
            KText {
                id: explainText
                objectName: "local.explain"
                visible: !page.choosing
                Layout.fillWidth: true
                color: Theme.color.textMuted
                text: page.offering
                      ? (page.offer.isLetter
                         ? qsTr("There is a letter to your %1, %2: sign that one instead?")
                         : qsTr("There is a petition to your %1, %2: sign that one instead?"))
                        .arg(page.offer.office).arg(page.offer.name)
                      : page.offer.taken ? qsTr("You chose this campaign:")
                      : page.flow.routedLocal !== ""
                      ? (page.flow.chosenLocal === page.flow.routedLocal
                         ? qsTr("Your ZIP code is in %1. You will sign the campaign for your area:").arg(page.s.place)
                         : qsTr("You chose this campaign:"))
                      : (page.flow.chosenLocal !== ""
                         ? qsTr("You chose this campaign:")
                         : qsTr("There is no local campaign for your ZIP code yet. You will sign the main campaign:"))
            }

            KButton {
                objectName: "local.offer.accept"
                visible: page.offering
                text: qsTr("Sign that one")
                onClicked: { page.flow.takeOffer(); page.resetScroll() }
            }
            KText {
                id: orMain
                visible: page.offering
                Layout.fillWidth: true
                Layout.topMargin: 8
                color: Theme.color.textMuted
                text: qsTr("Or sign the main campaign:")
            }

            Rectangle {
                objectName: "local.card"
                visible: !page.choosing
                Layout.fillWidth: true
                implicitHeight: card.implicitHeight + 56
                radius: 16
                color: Theme.color.surface
                border.width: 1
                border.color: Theme.color.divider
                ColumnLayout {
                    id: card
                    anchors { left: parent.left; right: parent.right; top: parent.top; margins: 28 }
                    spacing: 14
                    KText {
                        objectName: "local.target"
                        Layout.fillWidth: true
                        text: page.s.target || ""
                        font.pixelSize: Theme.size.body + 2
                        font.weight: Font.DemiBold
                        color: Theme.color.textMuted
                    }
                    KText {
                        objectName: "local.title"
                        Layout.fillWidth: true
                        text: page.s.title || ""
                        font.pixelSize: Theme.size.heading + 2
                        font.weight: Font.Bold
                    }
                    ProgressBlock { Layout.fillWidth: true; Layout.maximumWidth: 520; compact: true; info: page.s }
                    KText {
                        visible: (page.s.createdBy || "") !== ""
                        Layout.fillWidth: true
                        text: qsTr("Started by %1").arg(page.s.createdBy || "")
                        font.pixelSize: Theme.size.small
                        color: Theme.color.textMuted
                    }
                    Paragraphs {
                        Layout.fillWidth: true
                        Layout.topMargin: 6
                        paragraphs: page.s.statement || []
                        paragraphName: "local.statement"
                    }
                }
            }

            // One choice each: reached with Tab, chosen with Enter or Space; the current one
            // says so in words and with a tick (never by its border alone).
            Repeater {
                id: options
                model: page.choosing ? page.flow.localOptions : []
                Button {
                    id: opt
                    required property var modelData
                    objectName: "local.option." + (modelData.slug || "none")
                    Layout.fillWidth: true
                    focusPolicy: Qt.TabFocus
                    Keys.onReturnPressed: opt.clicked()
                    Keys.onEnterPressed: opt.clicked()
                    implicitHeight: Math.max(84, optCol.implicitHeight + 24)
                    readonly property bool current: modelData.slug === page.flow.chosenLocal
                    // Checkable for a screen reader (Qt reads a button's own checkable and
                    // checked); a press closes the list, so the toggle never shows.
                    checkable: true
                    checked: opt.current
                    Accessible.role: Accessible.RadioButton
                    Accessible.name: modelData.label + ". " + modelData.target
                    Accessible.checkable: true
                    Accessible.checked: opt.current
                    onClicked: page.pick(modelData.slug)
                    contentItem: ColumnLayout {
                        id: optCol
                        spacing: 2
                        KText { Layout.fillWidth: true
                                text: (opt.current ? "✓  " : "") + opt.modelData.label
                                font.pixelSize: Theme.size.body + 1; font.weight: Font.Bold; leftPadding: 12 }
                        KText { Layout.fillWidth: true; visible: opt.current; text: qsTr("Your current choice")
                                font.pixelSize: Theme.size.small; font.weight: Font.DemiBold; leftPadding: 12 }
                        KText { Layout.fillWidth: true; text: opt.modelData.target
                                font.pixelSize: Theme.size.small; color: Theme.color.textMuted; leftPadding: 12 }
                    }
                    background: Rectangle {
                        radius: 12
                        color: opt.down ? Theme.color.surfaceAlt : Theme.color.surface
                        border.width: opt.current ? 3 : 1
                        border.color: opt.current ? Theme.color.primary : Theme.color.divider
                        FocusRing { target: opt }
                    }
                }
            }
        }
    }

    ActionBar {
        id: actions
        anchors { left: parent.left; right: parent.right; bottom: parent.bottom }
        leftContent: [
            KButton {
                objectName: "local.back"
                kind: "secondary"
                text: qsTr("Back")
                onClicked: page.choosing ? page.choosing = false : page.flow.back()
            },
            StartOver {
                objectName: "local.startOver"
                app: page.app
            }
        ]
        KButton {
            objectName: "local.change"
            visible: !page.choosing
            kind: "secondary"
            text: qsTr("Change")
            onClicked: {
                // A keyboard user lands on the current choice (this button goes away).
                const byKey = activeFocus
                page.choosing = true
                page.resetScroll()
                if (byKey)
                    Qt.callLater(page.focusCurrentOption)
            }
        }
        KButton {
            objectName: "local.confirm"
            visible: !page.choosing
            text: qsTr("Yes, continue")
            // Heard right after "sign that one instead?", "Yes" would mean the offer.
            Accessible.description: page.offering ? qsTr("Signs the main campaign, not the one offered above") : ""
            onClicked: page.flow.confirmLocal()
        }
    }
}
