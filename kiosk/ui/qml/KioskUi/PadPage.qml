// Review and sign: who is signing what, a large pad, Clear and Submit; or, for a signer who
// cannot draw, "I can't sign with my finger": the full name typed and confirmed as the
// signature, optionally witnessed by a volunteer with the staff PIN (issue #17).
import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts
import Kiosk

FadePage {
    id: page
    scrollArea: scroll
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
    readonly property bool typing: flow.typing
    readonly property var errs: flow.errors
    speech: page.app.speech
    spokenTitle: page.typing ? qsTr("Type your name to sign") : qsTr("Sign with your finger")
    spokenText: (page.app.speech.echoPersonal
                 ? qsTr("You are signing as %1, ZIP %2.").arg(page.flow.review.name || "")
                   .arg(page.flow.review.zip || "") + " "
                 : "")
                + (page.typing
                   ? qsTr("Type your full name in the signature field, confirm that it is your signature, then choose Submit my signature. A volunteer may witness it with the staff PIN.")
                   : qsTr("Draw your signature with your finger in the signature area. If you cannot, press Tab until you hear I can't sign with my finger, then press Enter to type your name instead."))
    Connections {
        target: page.flow
        // The control with the first error takes the focus and is said with its error (again,
        // if it already had the focus).
        function onFocusField(name) {
            const target = name === "typed_name" ? typedName.input
                       : name === "typed_confirm" ? typedConfirm : null
            if (!target)
                return
            page.app.speech.errorCount(Object.keys(page.flow.errors).length)
            const had = target.activeFocus
            target.forceActiveFocus()
            if (had)
                page.app.speech.focusItem(target)
        }
    }

    TopBar { id: bar; app: page.app; caption: page.s.title || ""
             anchors { left: parent.left; right: parent.right; top: parent.top } }

    // Typing, the review, the name, the confirmation and the witness scroll together as one
    // page (the keyboard takes half the screen, and the text may be twice as large); drawing,
    // nothing scrolls (a drag on the pad is ink, never a scroll).
    // `through`: an item below `item` that comes into view with it (its end first, when the
    // two do not fit).
    function reveal(item, through) { Qt.callLater(page.scrollTo, item, through) }
    function scrollTo(item, through) {
        if (!item || !page.typing)
            return
        var top = item.mapToItem(column, 0, 0).y + column.y - 24
        var last = through || item
        var bottom = last.mapToItem(column, 0, 0).y + column.y + last.height + 24
        if (through && bottom - top > scroll.height)
            top = bottom - scroll.height
        if (top < scroll.contentY)
            scroll.contentY = Math.max(0, top)
        else if (bottom > scroll.contentY + scroll.height)
            scroll.contentY = Math.min(Math.max(0, scroll.contentHeight - scroll.height),
                                       bottom - scroll.height)
    }
    // Back to drawing: the keyboard goes (the pad needs the room); a keyboard user (who
    // pressed "Sign with my finger instead" with Enter) is taken back to "I can't sign with
    // my finger", where they came from; a finger's tap leaves no focus ring behind.
    // Nothing of the typed signature keeps the focus once it is hidden: a tap on "Sign with
    // my finger instead" left it in the typed name, where keys went unseen (speech mode read
    // the field out), and "Start over" closing handed it back with the on-screen keyboard
    // over the pad. The page itself takes it then (as the window's focus sink does, it takes
    // the scrolling keys, and it shows no ring).
    property bool refocusTypeInstead: false
    function leaveTyping() {
        if (page.typing)
            return
        Qt.inputMethod.hide()  // qmllint disable missing-property
        if (page.refocusTypeInstead && page.shown && typeInstead.visible)
            typeInstead.forceActiveFocus()
        page.refocusTypeInstead = false
    }
    // Whether `item` is `box` or inside it.
    function inside(item, box) {
        for (let up = item; up; up = up.parent)
            if (up === box)
                return true
        return false
    }
    onTypingChanged: {
        page.respeak()
        if (!page.typing) {
            scroll.contentY = 0
            if (page.inside(page.Window.activeFocusItem, typedBox))
                page.forceActiveFocus()
            Qt.callLater(page.leaveTyping)
        }
    }

    KScroll {
        id: scroll
        objectName: "pad.typedScroll"
        anchors { top: bar.bottom; bottom: actions.top; left: parent.left; right: parent.right }
        contentWidth: width
        contentHeight: page.typing ? column.implicitHeight + 40 : height
        interactive: page.typing
        clip: true
        boundsBehavior: Flickable.StopAtBounds
        ScrollBar.vertical: ScrollBar { policy: ScrollBar.AsNeeded; width: 14 }
        onHeightChanged: if (page.typing && scroll.Window.activeFocusItem) page.reveal(scroll.Window.activeFocusItem)

        ColumnLayout {
            id: column
            x: page.width < 1000 ? 32 : 48
            y: page.typing ? 22 : 12
            width: scroll.width - 2 * column.x
            height: page.typing ? implicitHeight : scroll.height - 20
            // A little tighter while drawing: the pad takes what is left (at 200 % text it is
            // short of room).
            spacing: page.typing ? 14 : 10

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
                        text: page.spokenTitle
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
                visible: !page.typing
                Layout.fillWidth: true
                // The room under the header, less what goes below the pad.
                readonly property real room: column.height - header.height - column.spacing
                    - typeInstead.height - column.spacing
                    - (padError.visible ? padError.height + column.spacing : 0)
                Layout.preferredHeight: Math.max(160, Math.min(card.room, column.width * 0.6))
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

            // The typed signature, in place of the pad.
                ColumnLayout {
                    id: typedBox
                    visible: page.typing
                    Layout.fillWidth: true
                    spacing: 12
                    KField {
                        id: typedName
                        Layout.fillWidth: true
                        inputName: "pad.typedName"
                        label: qsTr("Your full name, as your signature")
                        maxLength: 200
                        words: true
                        error: page.errs.typed_name || ""
                        onEdited: (text) => page.flow.setTypedName(text)
                        onSubmitted: typedConfirm.forceActiveFocus()
                        onFocused: (item) => page.reveal(item)
                    }
                    KCheck {
                        id: typedConfirm
                        objectName: "pad.typedConfirm"
                        Layout.fillWidth: true
                        text: qsTr("I confirm that this typed name is my signature.")
                        on: page.flow.typedConfirmed
                        Accessible.description: page.errs.typed_confirm || ""
                        onClicked: page.flow.setTypedConfirmed(!typedConfirm.on)
                        onActiveFocusChanged: if (activeFocus) page.reveal(typedConfirm)
                    }
                    KText {
                        objectName: "pad.typedConfirm.error"
                        Layout.fillWidth: true
                        visible: text !== ""
                        text: page.errs.typed_confirm ? "! " + page.errs.typed_confirm : ""
                        color: Theme.color.error
                        font.weight: Font.DemiBold
                    }
                    // Optional: a volunteer witnesses it with the staff PIN; the sheet says so.
                    // The PIN and its button side by side, one above the other when narrow.
                    GridLayout {
                        id: witnessRow
                        Layout.fillWidth: true
                        visible: page.flow.canWitness
                        columns: witnessPin.Layout.preferredWidth + witnessButton.implicitWidth + 12
                                 <= typedBox.width ? 2 : 1
                        columnSpacing: 12
                        rowSpacing: 12
                        TextMetrics { id: pinHint; font: witnessPin.font; text: witnessPin.placeholderText }
                        TextField {
                            id: witnessPin
                            objectName: "pad.witnessPin"
                            Layout.preferredWidth: Math.max(220, Math.ceil(pinHint.advanceWidth) + 48)
                            Layout.maximumWidth: typedBox.width
                            implicitHeight: Math.max(64, Theme.size.body * 2.2)
                            enabled: !page.flow.witnessed
                            echoMode: TextInput.Password
                            inputMethodHints: Qt.ImhDigitsOnly | Qt.ImhSensitiveData | Qt.ImhNoPredictiveText
                            maximumLength: 12
                            font.pixelSize: Theme.size.body
                            leftPadding: 18
                            rightPadding: 18
                            placeholderText: qsTr("Staff PIN")
                            placeholderTextColor: Theme.color.textMuted
                            // Qt Quick may keep a password field's name empty (with a screen
                            // reader on): its label also starts the description, as in KField,
                            // which ends with the outcome of the last try (a wrong PIN...).
                            Accessible.name: qsTr("Staff PIN")
                            Accessible.description: qsTr("Staff PIN") + ". "
                                                    + qsTr("Volunteer: witness this typed signature with the staff PIN (optional)")
                                                    + (witnessStatus.text !== "" ? ". " + witnessStatus.text : "")
                            // A PIN of the minimum length at least: shorter, Enter does
                            // nothing (as the witness button is disabled), and it is never a try
                            // that counts towards the staff PIN's lockout.
                            readonly property bool longEnough: witnessPin.text.length >= page.flow.pinMinLength
                            onAccepted: if (witnessButton.enabled) page.flow.witness(witnessPin.text)
                            onActiveFocusChanged: if (activeFocus) page.reveal(witnessRow)
                            // A wrong PIN is not left in the field (the typed name and its
                            // confirmation stay as they are).
                            readonly property string checkState: page.flow.witnessState
                            onCheckStateChanged: if (checkState === "wrong" || checkState === "locked") witnessPin.clear()
                            background: Rectangle {
                                radius: 12
                                color: Theme.color.surface
                                border.width: witnessPin.activeFocus ? 3 : 1.5
                                border.color: witnessPin.activeFocus ? Theme.color.primary : Theme.color.outline
                                FocusRing { target: witnessPin }
                            }
                        }
                        KButton {
                            id: witnessButton
                            objectName: "pad.witness"
                            kind: "secondary"
                            enabled: !page.flow.witnessed && page.flow.witnessState !== "checking"
                                     && witnessPin.longEnough
                            text: qsTr("Witness (volunteer)")
                            onClicked: page.flow.witness(witnessPin.text)
                        }
                    }
                    KText {
                        id: witnessStatus
                        objectName: "pad.witnessStatus"
                        // A status message: said as it changes in speech mode, and the witness
                        // PIN's description for a screen reader.
                        Accessible.role: Accessible.AlertMessage
                        Accessible.name: text
                        // And scrolled into view with the PIN and its button: it appeared
                        // half under the bottom bar, where the volunteer may never see it.
                        onTextChanged: {
                            if (witnessStatus.text === "" || !page.shown)
                                return
                            page.app.speech.say(witnessStatus.text)
                            page.reveal(witnessRow, witnessStatus)
                        }
                        Layout.fillWidth: true
                        visible: page.flow.canWitness && text !== ""
                        text: page.flow.witnessed ? qsTr("✓ Witnessed by a volunteer")
                              : page.flow.witnessState === "wrong" ? qsTr("! Wrong PIN")
                              : page.flow.witnessState === "locked" ? qsTr("! Too many wrong PINs: try again later")
                              : page.flow.witnessState === "checking" ? qsTr("Checking…") : ""
                        color: page.flow.witnessed ? Theme.color.accent : Theme.color.error
                        font.weight: Font.DemiBold
                    }
                    KButton {
                        id: drawInstead
                        objectName: "pad.drawInstead"
                        kind: "quiet"
                        text: qsTr("Sign with my finger instead")
                        onClicked: {
                            page.refocusTypeInstead = drawInstead.activeFocus
                            page.flow.setTyping(false)
                        }
                    }
                }

            KButton {
                id: typeInstead
                objectName: "pad.typeInstead"
                visible: !page.typing
                kind: "quiet"
                text: qsTr("I can't sign with my finger")
                Accessible.description: qsTr("Type your full name as your signature instead")
                onClicked: {
                    page.flow.setTyping(true)
                    typedName.input.forceActiveFocus()
                }
            }

            KText {
                id: padError
                objectName: "pad.error"
                Layout.fillWidth: true
                visible: text !== ""
                text: page.flow.message
                // Said when it appears in speech mode; the pad's description for a screen reader.
                Accessible.role: Accessible.AlertMessage
                Accessible.name: text
                onTextChanged: if (padError.text !== "" && page.shown) page.app.speech.say(padError.text)
                color: Theme.color.error
                font.weight: Font.DemiBold
            }
            // Below a pad that reached its widest proportion (no spacing taken when it did not).
            Item { Layout.fillHeight: true; visible: !page.typing && card.room > column.width * 0.6 + column.spacing }
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
                visible: !page.typing
                enabled: !page.padEmpty
                onClicked: page.pad.clear()
            },
            // Last: when the bar wraps (portrait, large text) it goes to a line of its own.
            StartOver {
                objectName: "pad.startOver"
                app: page.app
            }
        ]
        KText {
            width: Math.min(implicitWidth, actions.room)
            height: Math.max(implicitHeight, Theme.touch)
            verticalAlignment: Text.AlignVCenter
            visible: !page.padEnough && !page.typing
            text: page.padEmpty ? "" : qsTr("Keep going: sign your full name")
            color: Theme.color.textMuted
            font.pixelSize: Theme.size.small
        }
        KButton {
            objectName: "pad.submit"
            text: page.flow.busy ? qsTr("Saving…") : qsTr("Submit my signature")
            enabled: (page.typing || page.padEnough) && !page.flow.busy
            onClicked: page.typing ? page.flow.submitTyped() : page.flow.submit(page.pad)
        }
    }
}
