// A large check box: its state in words and a tick (never by colour alone), reached with Tab,
// changed with Enter or Space. It is not a checkable button: the state always follows the
// view-model (which resets it for the next signer), so a tap only asks for the change.
import QtQuick
import Kiosk

KButton {
    id: check
    property bool on: false
    kind: "secondary"
    stretch: true
    measuredText: (check.on ? "✓  " : "☐  ") + check.text
    Accessible.role: Accessible.CheckBox
    Accessible.checkable: true
    Accessible.checked: check.on
    // When accessibility turns on (a screen reader, or Qt's own QAccessible), Qt Quick's
    // Button writes its own `checkable` and `checked` (both false: this is not a checkable
    // button) over these, once: the constant binding would never put them back, and the box
    // would say "check box" without its state. Put them back.
    Accessible.onCheckableChanged: {
        if (!check.Accessible.checkable) {
            check.Accessible.checkable = true
            check.Accessible.checked = Qt.binding(() => check.on)
        }
    }
    contentItem: Text {
        text: (check.on ? "✓  " : "☐  ") + check.text
        font: check.font
        textFormat: Text.PlainText
        wrapMode: Text.Wrap
        horizontalAlignment: Text.AlignLeft
        verticalAlignment: Text.AlignVCenter
        color: Theme.color.primary
    }
}
