// Progress to the goal: a bar and "29,681 of 30,000 signatures".
import QtQuick
import QtQuick.Layouts
import Kiosk

ColumnLayout {
    id: root
    property var info: ({})
    property bool compact: false
    property string labelName: ""
    readonly property string label: qsTr("%1 of %2 signatures")
                                     .arg(info.countText || "0").arg(info.goalText || "0")
    spacing: compact ? 6 : 10
    Accessible.role: Accessible.ProgressBar
    Accessible.name: label

    KText {
        objectName: root.labelName
        Layout.fillWidth: true
        text: root.label
        font.pixelSize: root.compact ? Theme.size.small + 1 : Theme.size.heading
        font.weight: Font.Bold
        color: Theme.color.accent
        horizontalAlignment: root.compact ? Text.AlignLeft : Text.AlignHCenter
    }
    Rectangle {
        Layout.fillWidth: true
        implicitHeight: root.compact ? 10 : 18
        radius: height / 2
        color: Theme.color.track
        Rectangle {
            width: Math.max(height, parent.width * (root.info.fraction || 0))
            height: parent.height
            radius: height / 2
            color: Theme.color.accent
        }
    }
}
