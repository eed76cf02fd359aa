// The form: names, ZIP and whatever else the campaign asks, with errors next to each field.
import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts
import Kiosk

FadePage {
    id: page
    scrollArea: flick
    objectName: "form.page"
    speech: page.app.speech
    spokenTitle: qsTr("Your details")
    spokenText: qsTr("Type your first name, your last name and your ZIP code; the fields marked optional can stay empty. Press Tab to go to the next field and Enter on Next when you are done.")
    required property var app
    readonly property var flow: app.flow
    readonly property var rules: flow.rules
    readonly property var errs: flow.errors
    readonly property int personal: Qt.ImhSensitiveData | Qt.ImhNoPredictiveText

    function fieldFor(name) {
        return { first_name: firstName, last_name: lastName, zip: zip, phone: phone,
                 email: email, street: street, city: city, state: usState,
                 comment: comment }[name]
    }

    property KField lastField: null
    // The opt-in error is the first error: keep it (under its checkbox) in view while it
    // appears and the layout and the keyboard settle.
    property bool revealOptIn: false

    // After layouts settled (an error line may just have appeared under the field).
    function ensureVisible(item) {
        if (!item)
            return
        if (item.input !== undefined) {  // a field took the focus: it comes first now
            lastField = item
            revealOptIn = false
        }
        Qt.callLater(scrollTo, item)
    }
    function scrollTo(item) {
        var pos = item.mapToItem(col, 0, 0)
        var top = col.y + pos.y - 24
        var bottom = col.y + pos.y + item.height + 24
        if (top < flick.contentY)
            flick.contentY = Math.max(0, top)
        else if (bottom > flick.contentY + flick.height)
            flick.contentY = Math.min(Math.max(0, flick.contentHeight - flick.height),
                                      bottom - flick.height)
    }

    Connections {
        target: page.flow
        function onFocusField(name) {
            page.revealOptIn = name === "opt_in"
            page.app.speech.errorCount(Object.keys(page.errs).length)
            if (name === "opt_in") {
                // The check box takes the focus and is said with its error (again, if it
                // already had the focus); its error line stays in view under it.
                const had = optInBox.activeFocus
                optInBox.forceActiveFocus()
                if (had)
                    page.app.speech.focusItem(optInBox)
                page.ensureVisible(optInError)
                return
            }
            var f = page.fieldFor(name)
            if (f) {
                // A field that already has the focus is said again, now with its error.
                const had = f.input.activeFocus
                f.input.forceActiveFocus()
                if (had)
                    page.app.speech.focusItem(f.input)
                page.ensureVisible(f)
            }
        }
    }

    TopBar { id: bar; app: page.app; caption: page.flow.petition.title || ""
             anchors { left: parent.left; right: parent.right; top: parent.top } }

    KScroll {
        id: flick
        objectName: "form.scroll"
        anchors { top: bar.bottom; bottom: actions.top; left: parent.left; right: parent.right }
        contentWidth: width
        contentHeight: col.implicitHeight + 64
        clip: true
        boundsBehavior: Flickable.StopAtBounds
        ScrollBar.vertical: ScrollBar { policy: ScrollBar.AsNeeded; width: 14 }
        // The keyboard slid up or down: keep the field being typed in (or the opt-in error
        // being shown) in view.
        onHeightChanged: {
            if (page.revealOptIn && optInError.visible)
                page.ensureVisible(optInError)
            else if (page.lastField && page.lastField.input.activeFocus)
                page.ensureVisible(page.lastField)
        }

        ColumnLayout {
            id: col
            x: (flick.width - width) / 2
            y: 28
            width: Math.min(flick.width - 120, 1000)
            spacing: 18

            KText {
                Layout.fillWidth: true
                lineHeight: 1.0
                text: qsTr("Add your name")
                font.pixelSize: Theme.size.title
                font.weight: Font.Bold
                color: Theme.color.text
            }
            KText {
                Layout.fillWidth: true
                text: qsTr("Please use your own name. Fields marked (optional) can stay empty.")
                color: Theme.color.textMuted
            }

            GridLayout {
                id: fieldGrid
                Layout.fillWidth: true
                Layout.topMargin: 6
                // One field a row when two would not fit their labels (portrait, large text).
                columns: fieldGrid.width / Theme.scale < 560 ? 1 : 2
                columnSpacing: 28
                rowSpacing: 16

                KField {
                    id: firstName
                    Layout.fillWidth: true
                    inputName: "form.firstName"
                    words: true
                    label: qsTr("First name")
                    hints: page.personal
                    error: page.errs.first_name || ""
                    onEdited: (text) => page.flow.setField("first_name", text)
                    onFocused: (item) => page.ensureVisible(item)
                }
                KField {
                    id: lastName
                    Layout.fillWidth: true
                    inputName: "form.lastName"
                    words: true
                    label: qsTr("Last name")
                    hints: page.personal
                    error: page.errs.last_name || ""
                    onEdited: (text) => page.flow.setField("last_name", text)
                    onFocused: (item) => page.ensureVisible(item)
                }
                KField {
                    id: zip
                    Layout.fillWidth: true
                    inputName: "form.zip"
                    label: qsTr("ZIP code")
                    hints: page.personal | Qt.ImhDigitsOnly
                    maxLength: 10
                    error: page.errs.zip || ""
                    onEdited: (text) => page.flow.setField("zip", text)
                    onFocused: (item) => page.ensureVisible(item)
                }
                KField {
                    id: phone
                    Layout.fillWidth: true
                    inputName: "form.phone"
                    label: qsTr("Phone")
                    rule: page.rules.phone || "hidden"
                    hints: page.personal | Qt.ImhDialableCharactersOnly
                    maxLength: 25
                    error: page.errs.phone || ""
                    onEdited: (text) => page.flow.setField("phone", text)
                    onFocused: (item) => page.ensureVisible(item)
                }
                KField {
                    id: email
                    Layout.fillWidth: true
                    Layout.columnSpan: fieldGrid.columns
                    inputName: "form.email"
                    label: qsTr("Email")
                    rule: page.rules.email || "hidden"
                    hints: page.personal | Qt.ImhEmailCharactersOnly | Qt.ImhNoAutoUppercase
                    maxLength: 254
                    error: page.errs.email || ""
                    onEdited: (text) => page.flow.setField("email", text)
                    onFocused: (item) => page.ensureVisible(item)
                }
                KField {
                    id: street
                    Layout.fillWidth: true
                    Layout.columnSpan: fieldGrid.columns
                    inputName: "form.street"
                    label: qsTr("Street address")
                    rule: page.rules.street || "hidden"
                    maxLength: 120
                    error: page.errs.street || ""
                    onEdited: (text) => page.flow.setField("street", text)
                    onFocused: (item) => page.ensureVisible(item)
                }
                KField {
                    id: city
                    Layout.fillWidth: true
                    inputName: "form.city"
                    label: qsTr("City")
                    rule: page.rules.city || "hidden"
                    error: page.errs.city || ""
                    onEdited: (text) => page.flow.setField("city", text)
                    onFocused: (item) => page.ensureVisible(item)
                }
                KField {
                    id: usState
                    Layout.fillWidth: true
                    inputName: "form.state"
                    label: qsTr("State")
                    rule: page.rules.state || "hidden"
                    hints: page.personal | Qt.ImhUppercaseOnly
                    maxLength: 2
                    error: page.errs.state || ""
                    onEdited: (text) => page.flow.setField("state", text)
                    onFocused: (item) => page.ensureVisible(item)
                }
                KField {
                    id: comment
                    Layout.fillWidth: true
                    Layout.columnSpan: fieldGrid.columns
                    inputName: "form.comment"
                    label: qsTr("Comment")
                    rule: page.rules.comment || "hidden"
                    maxLength: 500
                    last: true
                    error: page.errs.comment || ""
                    onEdited: (text) => page.flow.setField("comment", text)
                    onFocused: (item) => page.ensureVisible(item)
                    onSubmitted: page.flow.submitForm()
                }
            }

            // Like the typed signature's confirmation: reached with Tab, changed with Enter or
            // Space, its error is its description and takes the focus after "Next".
            KCheck {
                id: optInBox
                objectName: "form.optIn"
                Layout.fillWidth: true
                Layout.topMargin: 8
                text: page.flow.consentText
                on: page.flow.optIn
                checked: page.flow.optIn  // as a check box reads (tests and the contract)
                Accessible.description: page.errs.opt_in || ""
                onClicked: page.flow.setOptIn(!optInBox.on)
            }
            Text {
                id: optInError
                objectName: "form.optIn.error"
                onYChanged: if (page.revealOptIn && visible) page.ensureVisible(optInError)
                onHeightChanged: if (page.revealOptIn && visible) page.ensureVisible(optInError)
                onVisibleChanged: if (page.revealOptIn && visible) page.ensureVisible(optInError)
                Layout.fillWidth: true
                visible: text !== ""
                text: page.errs.opt_in || ""
                wrapMode: Text.Wrap
                color: Theme.color.error
                font.pixelSize: Theme.size.small
                font.weight: Font.DemiBold
            }
        }
    }

    ActionBar {
        id: actions
        anchors { left: parent.left; right: parent.right; bottom: parent.bottom }
        leftContent: [
            KButton {
                objectName: "form.back"
                kind: "secondary"
                text: qsTr("Back")
                onClicked: page.flow.back()
            },
            StartOver {
                objectName: "form.startOver"
                app: page.app
            }
        ]
        KButton {
            objectName: "form.next"
            text: qsTr("Next")
            onClicked: page.flow.submitForm()
        }
    }
}
