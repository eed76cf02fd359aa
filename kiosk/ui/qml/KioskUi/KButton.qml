// A large touch button: primary (filled), secondary (outlined), quiet (text) or danger.
// Reached with Tab / Shift+Tab (a finger's tap never takes the focus from a text field), shows
// a focus ring, and is pressed with Enter or Space (a switch interface sends those too).
// Never wider than the window (less its margins): a long label at 200 % text wraps onto more
// lines instead of widening the screen. In a layout it shrinks (and wraps) when the layout is
// narrower than its label, and grows no wider than its label unless `stretch` is set.
import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts
import Kiosk

Button {
    id: control
    property string kind: "primary"
    property bool big: false
    // Fill the layout's width (a full-width button) instead of keeping to the label's width.
    property bool stretch: false
    // The widest the button may be: the window's width less the screens' side margins.
    property real maxWidth: control.Window.width > 0 ? control.Window.width - 64
                                                     : Number.POSITIVE_INFINITY
    // The label's one-line width, measured apart from the label item (whose implicit width
    // follows its wrapping once it has been narrowed).
    property string measuredText: control.text
    TextMetrics { id: labelMetrics; font: control.font; text: control.measuredText }
    readonly property real naturalWidth: Math.max((big ? 92 : 64) * 1.6,
                                                  Math.ceil(labelMetrics.advanceWidth) + 2
                                                  + leftPadding + rightPadding)

    focusPolicy: Qt.TabFocus
    Keys.onReturnPressed: control.activate()
    Keys.onEnterPressed: control.activate()
    function activate() {
        if (!control.enabled)
            return
        if (control.checkable) {
            control.toggle()
            control.toggled()
        }
        control.clicked()
    }
    font.pixelSize: big ? Theme.size.heading : Theme.size.button
    font.weight: Font.DemiBold
    leftPadding: big ? 40 : 26
    rightPadding: big ? 40 : 26
    topPadding: 8
    bottomPadding: 8
    implicitHeight: Math.max(Theme.touch, big ? 92 : 64,
                             implicitContentHeight + topPadding + bottomPadding)
    implicitWidth: Math.min(naturalWidth, maxWidth)
    Layout.fillWidth: true
    Layout.maximumWidth: control.stretch ? Number.POSITIVE_INFINITY
                                         : Math.max(control.implicitWidth, control.Layout.preferredWidth)
    Accessible.name: text

    contentItem: Text {
        text: control.text
        font: control.font
        textFormat: Text.PlainText
        wrapMode: Text.Wrap
        horizontalAlignment: Text.AlignHCenter
        verticalAlignment: Text.AlignVCenter
        color: !control.enabled ? Theme.color.onDisabled
              : (control.kind === "primary" || control.kind === "danger") ? Theme.color.onPrimary
              : control.kind === "danger-quiet" ? Theme.color.error
              : Theme.color.primary
    }

    background: Rectangle {
        radius: 14
        color: !control.enabled ? Theme.color.disabled
              : control.kind === "primary" ? (control.down ? Theme.color.primaryPressed : Theme.color.primary)
              : control.kind === "danger" ? Theme.color.error
              : control.kind === "secondary" ? (control.down ? Theme.color.surfaceAlt : Theme.color.surface)
              : (control.down ? Theme.color.surfaceAlt : "transparent")
        border.width: control.kind === "secondary" && control.enabled ? 2 : 0
        border.color: Theme.color.primary
        Behavior on color { ColorAnimation { duration: 90 } }
        FocusRing { target: control }
    }
}
