// A page's scrolling area that a keyboard or switch user can scroll too (issue #17): Up and
// Down by a line, Page Up and Page Down (and Space, Shift+Space) by a screen, Home and End.
// Those keys scroll it when it has the focus, when a control inside it has the focus and does
// not use the key itself, and when nothing on the screen has the focus (Main.qml hands them
// to the shown page's `scroller`). With `tabStop`, it is also a Tab stop of its own while its
// content is taller than it (the petition's text has no control inside to land on), with a
// focus ring drawn inside its edge.
import QtQuick
import Kiosk

Flickable {
    id: flick
    property bool tabStop: false
    readonly property bool overflows: flick.contentHeight > flick.height + 1
    readonly property real lineStep: Math.max(40, Theme.size.body * 2.5)

    activeFocusOnTab: flick.tabStop && flick.overflows
    Accessible.role: Accessible.Pane
    Accessible.name: qsTr("The text of this screen")
    Accessible.description: qsTr("Use the arrow keys, Page Up and Page Down to scroll it.")
    Accessible.focusable: flick.activeFocusOnTab

    function scrollTo(y) {
        flick.contentY = Math.max(0, Math.min(y, flick.contentHeight - flick.height))
    }
    // Scrolls for `event` if it is one of the scrolling keys; returns whether it did.
    function keyScroll(event) {
        if (!flick.overflows || !flick.visible || !flick.interactive)
            return false
        const page = Math.max(flick.lineStep, flick.height * 0.9)
        const shift = (event.modifiers & Qt.ShiftModifier) !== 0
        switch (event.key) {
        case Qt.Key_Up: flick.scrollTo(flick.contentY - flick.lineStep); return true
        case Qt.Key_Down: flick.scrollTo(flick.contentY + flick.lineStep); return true
        case Qt.Key_PageUp: flick.scrollTo(flick.contentY - page); return true
        case Qt.Key_PageDown: flick.scrollTo(flick.contentY + page); return true
        case Qt.Key_Space: flick.scrollTo(flick.contentY + (shift ? -page : page)); return true
        case Qt.Key_Home: flick.scrollTo(0); return true
        case Qt.Key_End: flick.scrollTo(flick.contentHeight - flick.height); return true
        }
        return false
    }
    Keys.onPressed: (event) => { event.accepted = flick.keyScroll(event) }

    FocusRing {
        parent: flick  // over the visible area, not the scrolling content
        target: flick
        anchors.margins: 8
    }
}
