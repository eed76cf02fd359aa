// The bottom bar of a signer screen: a way back on the left, the way on at the right.
import QtQuick
import Kiosk

Rectangle {
    id: root
    default property alias content: row.data
    property alias leftContent: leftRow.data
    // The two sides stack (way back above, way on below) when they do not fit side by side
    // (portrait with large text); a side that is still too wide wraps onto more lines, and a
    // button too wide for the bar wraps its label (KButton is never wider than the window).
    readonly property real leftNatural: root.natural(leftRow.children)
    readonly property real rightNatural: root.natural(row.children)
    readonly property bool stacked: leftNatural + rightNatural + 96 > root.width
    readonly property real room: Math.max(0, root.width - 64)
    function natural(items) {
        let total = 0
        let shown = 0
        for (let i = 0; i < items.length; ++i) {
            if (!items[i].visible)
                continue
            total += items[i].implicitWidth
            shown += 1
        }
        return total + Math.max(0, shown - 1) * 16
    }
    implicitHeight: root.stacked ? leftRow.height + row.height + 36
                                 : Math.max(Qt.inputMethod.visible ? 84 : 100,  // qmllint disable missing-property
                                            Math.max(leftRow.height, row.height) + 24)
    color: Theme.color.surface

    Rectangle {
        anchors { left: parent.left; right: parent.right; top: parent.top }
        height: 1
        color: Theme.color.divider
    }
    Flow {
        id: leftRow
        x: 32
        width: Math.min(root.leftNatural + 1, root.room)
        y: root.stacked ? 12 : (root.height - leftRow.height) / 2
        spacing: 16
    }
    Flow {
        id: row
        width: Math.min(root.rightNatural + 1, root.room)
        x: root.width - 32 - row.width
        y: root.stacked ? root.height - row.height - 12 : (root.height - row.height) / 2
        spacing: 16
    }
}
