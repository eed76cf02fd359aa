// Paragraphs of campaign text, plain text only.
pragma ComponentBehavior: Bound
import QtQuick
import Kiosk

Column {
    id: root
    property var paragraphs: []
    property int pixelSize: Theme.size.body
    property color color: Theme.color.text
    property bool italic: false
    property string paragraphName: ""
    spacing: Math.round(pixelSize * 0.7)

    Repeater {
        model: root.paragraphs
        KText {
            required property string modelData
            required property int index
            objectName: root.paragraphName ? root.paragraphName + "." + index : ""
            width: root.width
            text: modelData
            font.pixelSize: root.pixelSize
            font.italic: root.italic
            color: root.color
            lineHeight: 1.3
        }
    }
}
