// The bottom bar of a signer screen: a way back on the left, the way on at the right.
import QtQuick
import Kiosk

Rectangle {
    id: root
    default property alias content: row.data
    property alias leftContent: leftRow.data
    // The two sides stack (way back above, way on below) when they do not fit side by side:
    // portrait with large text.
    readonly property bool stacked: leftRow.width + row.width + 96 > root.width
    implicitHeight: root.stacked ? leftRow.height + row.height + 36
                                 : (Qt.inputMethod.visible ? 84 : 100)  // qmllint disable missing-property
    color: Theme.color.surface

    Rectangle {
        anchors { left: parent.left; right: parent.right; top: parent.top }
        height: 1
        color: Theme.color.divider
    }
    Row {
        id: leftRow
        x: 32
        y: root.stacked ? 12 : (root.height - leftRow.height) / 2
        spacing: 16
    }
    Row {
        id: row
        x: root.width - 32 - row.width
        y: root.stacked ? root.height - row.height - 12 : (root.height - row.height) / 2
        spacing: 16
    }
}
