// Thank-you: the signature is saved; back to the attract screen in a few seconds.
import QtQuick
import QtQuick.Layouts
import Kiosk

FadePage {
    id: page
    scrollArea: scroller
    objectName: "thanks.page"
    speech: page.app.speech
    spokenTitle: qsTr("Thank you for signing!")
    spokenText: qsTr("Your signature has been saved. It will be delivered together with all the others.")
    required property var app
    readonly property var s: app.flow.signing
    color: Theme.color.accentSoft

    // Centred, and scrolling when the text is large (up to 200 %).
    KScroll {
        id: scroller
        tabStop: true
        objectName: "thanks.scroll"
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
            spacing: 24

            Rectangle {
                Layout.alignment: Qt.AlignHCenter
                width: 128; height: 128; radius: 64
                color: Theme.color.accent
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
                objectName: "thanks.title"
                Layout.fillWidth: true
                horizontalAlignment: Text.AlignHCenter
                lineHeight: 1.05
                text: qsTr("Thank you for signing!")
                font.pixelSize: Theme.size.display
                font.weight: Font.Bold
                color: Theme.color.text
            }
            KText {
                Layout.fillWidth: true
                horizontalAlignment: Text.AlignHCenter
                text: qsTr("Your signature has been saved. It will be delivered together with all the others.")
                font.pixelSize: Theme.size.heading
            }
            ProgressBlock {
                Layout.alignment: Qt.AlignHCenter
                Layout.fillWidth: true
                Layout.maximumWidth: 640
                Layout.topMargin: 10
                labelName: "thanks.progress"
                info: page.s
            }
            KText {
                Layout.fillWidth: true
                horizontalAlignment: Text.AlignHCenter
                text: qsTr("The screen clears itself for the next person in a few seconds.")
                font.pixelSize: Theme.size.small
                color: Theme.color.textMuted
            }
            KButton {
                objectName: "thanks.done"
                Layout.alignment: Qt.AlignHCenter
                Layout.topMargin: 16
                Layout.preferredWidth: 260
                text: qsTr("Done")
                onClicked: page.app.flow.finish()
            }
        }
    }
}
