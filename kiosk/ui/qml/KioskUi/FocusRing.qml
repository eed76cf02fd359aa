// The visible focus ring (issue #17): a thick outline around the control a keyboard or a
// switch interface is on, in the theme's focus colour, drawn outside the control so it never
// hides its text. Put one inside a control's background with `target` the control.
import QtQuick
import Kiosk

Rectangle {
    id: ring
    required property Item target
    anchors.fill: parent
    anchors.margins: -6
    radius: 18
    color: "transparent"
    border.width: 4
    border.color: Theme.color.primary
    visible: ring.target !== null && ring.target.activeFocus  // null while a delegate goes
    z: 10
    Rectangle {
        // a white inner line keeps the ring visible on a filled (primary) button
        anchors.fill: parent
        anchors.margins: 4
        radius: 14
        color: "transparent"
        border.width: 2
        border.color: Theme.color.surface
    }
}
