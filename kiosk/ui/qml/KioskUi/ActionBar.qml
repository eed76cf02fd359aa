// The bottom bar of a signer screen: a way back on the left, the way on at the right.
import QtQuick
import Kiosk

Rectangle {
    id: root
    default property alias content: row.data
    property alias leftContent: left.data
    implicitHeight: Qt.inputMethod.visible ? 84 : 100  // qmllint disable missing-property
    color: Theme.color.surface

    Rectangle {
        anchors { left: parent.left; right: parent.right; top: parent.top }
        height: 1
        color: Theme.color.divider
    }
    Row {
        id: left
        anchors { left: parent.left; leftMargin: 32; verticalCenter: parent.verticalCenter }
        spacing: 16
    }
    Row {
        id: row
        anchors { right: parent.right; rightMargin: 32; verticalCenter: parent.verticalCenter }
        spacing: 16
    }
}
