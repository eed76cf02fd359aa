// The attract screen: the active campaign, its progress, and a big "Sign".
import QtQuick
import QtQuick.Layouts
import Kiosk

FadePage {
    id: page
    scrollArea: scroller
    objectName: "attract.page"
    required property var app
    readonly property var p: app.flow.petition
    readonly property bool hasCampaign: (p.slug || "") !== ""
    speech: page.app.speech
    spokenTitle: page.p.title || ""
    spokenText: (page.p.target || "") + ". "
                + qsTr("%1 of %2 signatures.").arg(page.p.countText || "").arg(page.p.goalText || "")
                + " " + qsTr("To sign, press Tab until you hear %1, then press Enter.")
                        .arg(page.p.isLetter ? qsTr("Sign the letter") : qsTr("Sign the petition"))

    // The next signer starts at the top, and so does a new text size (the old position
    // would land anywhere in the reflowed text).
    Connections {
        target: page.app.flow
        function onWiped() { scroller.contentY = 0 }
    }
    Connections {
        target: page.app
        function onLargeTextChanged() { scroller.contentY = 0 }
    }

    TopBar { id: bar; app: page.app; caption: page.p.organization || ""
             anchors { left: parent.left; right: parent.right; top: parent.top } }

    // Centred, and scrolling when the text is large (up to 200 %).
    KScroll {
        id: scroller
        tabStop: true
        objectName: "attract.scroll"
        anchors { top: bar.bottom; bottom: footer.top; left: parent.left; right: parent.right }
        contentWidth: width
        contentHeight: Math.max(height, attractBody.implicitHeight + 48)
        boundsBehavior: Flickable.StopAtBounds
        clip: true

        ColumnLayout {
            id: attractBody
            x: (scroller.width - width) / 2
            y: Math.max(24, (scroller.height - implicitHeight) / 2)
            width: Math.min(scroller.width - 120, 1040)
            spacing: 26
            visible: page.hasCampaign

            KText {
                objectName: "attract.target"
                Layout.fillWidth: true
                horizontalAlignment: Text.AlignHCenter
                text: page.p.target || ""
                font.pixelSize: Theme.size.heading
                color: Theme.color.textMuted
            }
            KText {
                objectName: "attract.title"
                Layout.fillWidth: true
                horizontalAlignment: Text.AlignHCenter
                text: page.p.title || ""
                font.pixelSize: Theme.size.display
                font.weight: Font.Bold
                lineHeight: 1.1
            }
            ProgressBlock {
                labelName: "attract.progress"
                Layout.alignment: Qt.AlignHCenter
                Layout.fillWidth: true
                Layout.maximumWidth: 720
                Layout.topMargin: 8
                info: page.p
            }
            KButton {
                objectName: "attract.signButton"
                Layout.alignment: Qt.AlignHCenter
                Layout.topMargin: 14
                Layout.preferredWidth: 380
                Layout.preferredHeight: 108
                big: true
                font.pixelSize: Theme.size.title + 4
                text: qsTr("Sign")
                Accessible.name: page.p.isLetter ? qsTr("Sign the letter") : qsTr("Sign the petition")
                onClicked: page.app.flow.start()
            }
            // Speech mode: a large, labelled control on the first screen (and F2 on a keyboard).
            KButton {
                id: speechButton
                objectName: "attract.speech"
                Layout.alignment: Qt.AlignHCenter
                Layout.maximumWidth: attractBody.width
                visible: page.app.speech.available
                kind: "secondary"
                text: page.app.speech.enabled ? qsTr("Reading aloud: tap to stop")
                                              : qsTr("Read it to me aloud")
                Accessible.description: qsTr("Headphones are recommended: plug them in under the screen. On a keyboard, press F2.")
                onClicked: {
                    var speech = page.app.speech
                    speech.setEnabled(!speech.enabled)
                    if (speech.enabled)
                        page.readAloud()
                }
            }
            KText {
                Layout.fillWidth: true
                horizontalAlignment: Text.AlignHCenter
                visible: speechButton.visible
                text: qsTr("Headphones recommended for reading aloud.")
                font.pixelSize: Theme.size.small
                color: Theme.color.textMuted
            }
            KText {
                Layout.fillWidth: true
                horizontalAlignment: Text.AlignHCenter
                text: page.p.isLetter ? qsTr("Read the letter and add your name. It takes about a minute.")
                                      : qsTr("Read the petition and add your name. It takes about a minute.")
                color: Theme.color.textMuted
            }
        }

        KText {
            x: (scroller.width - width) / 2
            y: (scroller.height - height) / 2
            width: Math.min(scroller.width - 120, 900)
            visible: !page.hasCampaign
            horizontalAlignment: Text.AlignHCenter
            text: qsTr("No campaign is set up on this kiosk yet. Please ask a volunteer.")
            font.pixelSize: Theme.size.heading
        }
    }

    Rectangle {
        id: footer
        anchors { left: parent.left; right: parent.right; bottom: parent.bottom }
        height: Math.max(64, footerText.implicitHeight + 16)
        color: Theme.color.surfaceAlt
        KText {
            id: footerText
            anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter
                      leftMargin: 40; rightMargin: 40 }
            horizontalAlignment: Text.AlignHCenter
            font.pixelSize: Theme.size.small
            color: Theme.color.textMuted
            text: qsTr("Your details are encrypted on this tablet as soon as you sign. Only %1 can read them.")
                  .arg(page.p.organization || "")
        }
    }
}
