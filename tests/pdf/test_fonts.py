"""Font fallback, right-to-left order and Arabic shaping, placeholders, literal markup."""

from __future__ import annotations

from kiosk.pdf.fonts import PLACEHOLDER, get_fonts, has_placeholder


def test_latin_extended_is_in_the_main_font() -> None:
    fonts = get_fonts()
    for name in ("Nguyễn Thị Ánh", "José", "Zoë", "O'Brien", "Łukasz Ŝ", "Φώτης", "Алексей"):
        runs = fonts.runs(name)
        assert [r.font for r in runs] == [fonts.font_name("sans")]
        assert runs[0].text == name


def test_decomposed_accents_are_composed() -> None:
    fonts = get_fonts()
    (run,) = fonts.runs("Jose\u0301")
    assert run.text == "José"


def test_scripts_fall_back_to_fonts_that_have_them() -> None:
    fonts = get_fonts()
    cases = {
        "李小龙": "wqy-microhei",
        "김민준": "wqy-microhei",
        "דוד": "NotoSansHebrew",
        "አበበ": "NotoSansEthiopic",
        "Հայկ": "NotoSansArmenian",
        "გიორგი": "NotoSansGeorgian",
    }
    for text, font in cases.items():
        runs = fonts.runs(text)
        assert len(runs) == 1 and font in runs[0].font, (text, runs)
        assert not has_placeholder(runs)


def test_arabic_is_shaped_and_in_visual_order() -> None:
    fonts = get_fonts()
    runs = fonts.runs("محمد")
    assert len(runs) == 1 and "Arabic" in runs[0].font
    # Joined presentation forms, last letter first (drawn left to right).
    assert runs[0].text == "\ufeaa\ufee4\ufea4\ufee3"


def test_hebrew_is_reversed_and_mixed_lines_keep_latin_order() -> None:
    fonts = get_fonts()
    runs = fonts.runs("דוד כהן")
    assert "".join(r.text for r in runs) == "ןהכ דוד"
    mixed = fonts.runs("Dr. דוד 2")
    text = "".join(r.text for r in mixed)
    assert text.startswith("Dr. ") and "דוד"[::-1] in text


def test_unprintable_scripts_become_one_placeholder_per_word() -> None:
    fonts = get_fonts()
    runs = fonts.runs("राम कुमार Singh")
    text = "".join(r.text for r in runs)
    assert text == f"{PLACEHOLDER} {PLACEHOLDER} Singh"
    assert has_placeholder(runs)


def test_control_characters_become_spaces() -> None:
    fonts = get_fonts()
    assert "".join(r.text for r in fonts.runs("A\nB\tC\x00D")) == "A B C D"


def test_markup_escapes_everything() -> None:
    fonts = get_fonts()
    assert fonts.markup("<b>&amp;</b> 李") == (
        '&lt;b&gt;&amp;amp;&lt;/b&gt; <font face="Kiosk-wqy-microhei">李</font>'
    )


def test_width_matches_reportlab() -> None:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    fonts = get_fonts()
    text = "Nguyễn Thị Ánh O'Brien"
    assert (
        abs(fonts.width(fonts.runs(text), 10) - stringWidth(text, fonts.font_name("sans"), 10))
        < 1e-6
    )


def test_latin_after_a_fallback_run_goes_back_to_the_main_face() -> None:
    # WenQuanYi has Latin letters too: the rest of the line must not stay in it (a bold serif
    # title went on in the CJK face's regular sans after "羅達倫").
    fonts = get_fonts()
    main = fonts.font_name("serif-bold")
    runs = fonts.runs("Henry Lo 羅達倫 of Monterey Park", "serif-bold")
    assert [r.font for r in runs] == [main, "Kiosk-wqy-microhei", main]
    assert runs[-1].text.strip() == "of Monterey Park"
    # Spaces between two words of one script stay in that script's run.
    (run,) = fonts.runs("李 小龙")
    assert run.font == "Kiosk-wqy-microhei"
    runs = fonts.runs("Chen 陈伟 Wei")
    assert runs[-1].font == fonts.font_name("sans") and runs[-1].text.strip() == "Wei"
