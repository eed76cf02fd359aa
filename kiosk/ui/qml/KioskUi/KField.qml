// A labelled text field with its error underneath, sized for a finger.
import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts
import QtQuick.VirtualKeyboard
import Kiosk

ColumnLayout {
    id: root
    property string label
    property string rule: "required"      // required | optional | hidden
    property string error: ""
    property string inputName
    property int hints: Qt.ImhSensitiveData | Qt.ImhNoPredictiveText
    property int maxLength: 80
    property int echo: TextInput.Normal
    property bool last: false
    // What must show with the field when it is scrolled into view above the keyboard (the
    // buttons that act on what is typed), if anything below it.
    property Item revealWith: null
    // A name: every word starts with a capital on the on-screen keyboard ("María José"),
    // as a phone does for name fields; the keyboard itself only capitalises sentences.
    property bool words: false
    readonly property alias input: textField
    signal edited(string text)
    signal focused(Item item)
    signal submitted()

    function capitalizeNext() {
        var shift = InputContext.priv ? InputContext.priv.shiftHandler : null
        if (shift && textField.activeFocus && !shift.capsLockActive)
            shift.shiftActive = true
    }

    visible: rule !== "hidden"
    spacing: 6
    // An error line appeared (or went) under the field being typed in: keep all of it in view.
    onHeightChanged: if (textField.activeFocus) root.focused(root)
    Layout.alignment: Qt.AlignTop
    // Equal preferred widths: fields in a grid share the row evenly, whatever their text.
    Layout.preferredWidth: 240

    RowLayout {
        Layout.fillWidth: true
        spacing: 10
        TextMetrics { id: labelSize; font: labelText.font; text: root.label }
        Text {
            id: labelText
            // As wide as it needs, wrapping only when the row is too narrow.
            Layout.fillWidth: true
            Layout.preferredWidth: Math.ceil(labelSize.advanceWidth) + 2
            Layout.maximumWidth: Layout.preferredWidth
            text: root.label
            wrapMode: Text.Wrap
            font.pixelSize: Theme.size.small + 1
            font.weight: Font.DemiBold
            color: Theme.color.text
        }
        Text {
            // Takes the rest of the row, so the label keeps its natural width when it fits.
            visible: root.rule === "optional"
            Layout.fillWidth: true
            Layout.alignment: Qt.AlignTop
            text: qsTr("(optional)")
            wrapMode: Text.Wrap
            font.pixelSize: Theme.size.small
            color: Theme.color.textMuted
            topPadding: 2
        }
    }

    TextField {
        id: textField
        objectName: root.inputName
        Layout.fillWidth: true
        implicitHeight: Math.max(64, Theme.size.body * 2.7)
        font.pixelSize: Theme.size.body + 2
        color: Theme.color.text
        placeholderTextColor: Theme.color.textMuted
        selectedTextColor: Theme.color.onPrimary
        selectionColor: Theme.color.primary
        inputMethodHints: root.hints
        maximumLength: root.maxLength
        echoMode: root.echo
        leftPadding: 18
        rightPadding: 18
        Accessible.name: root.label
        // Qt Quick keeps a password field's accessible name empty; its label goes in the
        // description instead, which screen readers announce.
        Accessible.description: root.echo === TextInput.Password
                                ? root.label + (root.error !== "" ? ". " + root.error : "")
                                : root.error
        EnterKeyAction.actionId: root.last ? EnterKeyAction.Done : EnterKeyAction.Next
        onTextChanged: {
            root.edited(text)
            if (root.words && activeFocus && cursorPosition === text.length
                    && /[ \-]$/.test(text) && !/^\s*$/.test(text))
                Qt.callLater(root.capitalizeNext)
        }
        onActiveFocusChanged: if (activeFocus) root.focused(root)
        onAccepted: {
            if (root.last) {
                root.submitted()
                return
            }
            var next = textField.nextItemInFocusChain(true)
            if (next && next !== textField)
                next.forceActiveFocus()
        }
        // The border says whether the field has an error (red) and thickens with the focus;
        // the focus ring around it (as on every control) tells a focused field from the
        // others, with or without an error, in both themes.
        background: Rectangle {
            radius: 12
            color: Theme.color.surface
            border.width: textField.activeFocus ? 3 : (root.error !== "" ? 2.5 : 1.5)
            border.color: root.error !== "" ? Theme.color.error
                         : textField.activeFocus ? Theme.color.primary : Theme.color.outline
            FocusRing { target: textField }
        }
    }

    Text {
        objectName: root.inputName + ".error"
        Layout.fillWidth: true
        visible: text !== ""
        text: root.error
        textFormat: Text.PlainText
        wrapMode: Text.Wrap
        color: Theme.color.error
        font.pixelSize: Theme.size.small
        font.weight: Font.DemiBold
    }
}
