// A screen that fades in when shown and goes at once when hidden (two screens never mix);
// hidden screens take no input.
import QtQuick
import Kiosk

Rectangle {
    id: root
    property bool shown: false
    color: Theme.color.background
    opacity: shown ? 1 : 0
    visible: opacity > 0
    enabled: shown
    Behavior on opacity {
        enabled: root.shown
        NumberAnimation { duration: 180; easing.type: Easing.OutCubic }
    }
}
