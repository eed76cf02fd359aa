// "You have already signed": friendly, and not counted twice.
import QtQuick
import QtQuick.Layouts
import Kiosk

FadePage {
    id: page
    scrollArea: scroller
    objectName: "duplicate.page"
    speech: page.app.speech
    spokenTitle: qsTr("You have already signed")
    spokenText: dupText.text
    required property var app
    readonly property var p: app.flow.petition

    // Centred, and scrolling when the text is large (up to 200 %).
    KScroll {
        id: scroller
        tabStop: true
        objectName: "duplicate.scroll"
        anchors.fill: parent
        contentWidth: width
        contentHeight: Math.max(height, body.implicitHeight + 48)
        boundsBehavior: Flickable.StopAtBounds
        clip: true

        ColumnLayout {
            id: body
            x: (scroller.width - width) / 2
            y: Math.max(24, (scroller.height - implicitHeight) / 2)
            width: Math.min(scroller.width - (scroller.width < 1000 ? 80 : 160), 900)
            spacing: 26

            Rectangle {
                Layout.alignment: Qt.AlignHCenter
                width: 128; height: 128; radius: 64
                color: Theme.color.primary
                Text {
                    anchors.centerIn: parent
                    text: "✓"
                    font.family: "DejaVu Sans"
                    font.pixelSize: 76
                    font.bold: true
                    color: Theme.color.onPrimary
                }
            }
            KText {
                objectName: "duplicate.title"
                Layout.fillWidth: true
                horizontalAlignment: Text.AlignHCenter
                lineHeight: 1.05
                text: qsTr("You have already signed")
                font.pixelSize: Theme.size.display
                font.weight: Font.Bold
                color: Theme.color.text
            }
            KText {
                id: dupText
                Layout.fillWidth: true
                horizontalAlignment: Text.AlignHCenter
                font.pixelSize: Theme.size.heading
                text: page.p.isLetter
                      ? qsTr("Thank you! Your name is already on this letter from this kiosk, so it counts once.")
                      : qsTr("Thank you! Your signature for this petition is already saved on this kiosk, so it counts once.")
            }
            KButton {
                objectName: "duplicate.done"
                Layout.alignment: Qt.AlignHCenter
                Layout.topMargin: 12
                Layout.preferredWidth: 260
                text: qsTr("Done")
                onClicked: page.app.flow.finish()
            }
        }
    }
}
