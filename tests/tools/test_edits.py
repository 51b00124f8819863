"""apply_search_replace: the mistakes models make are tolerated; ambiguity and
difference are refused; a wrong application never happens."""

import pytest

from tools.edits import EditError, apply_search_replace, split_lines
from tools.textdiff import apply_text_edits, text_edits, unified_diff

SOURCE = """class Cart:
    def __init__(self):
        self.items = []

    def add(self, item):
        self.items.append(item)
        return self


def total(cart):
    return sum(i.price for i in cart.items)
"""


def test_exact_match():
    out = apply_search_replace(SOURCE, "        return self\n", "        return None\n")
    assert out == SOURCE.replace("        return self\n", "        return None\n")


def test_whole_block_indented_less_is_shifted_back():
    search = "def add(self, item):\n    self.items.append(item)\n    return self"
    replace = "def add(self, item):\n    if item:\n        self.items.append(item)\n    return self"
    out = apply_search_replace(SOURCE, search, replace)
    assert (
        "    def add(self, item):\n        if item:\n            self.items.append(item)\n        return self\n" in out
    )
    assert out.count("class Cart") == 1


def test_trailing_whitespace_differences():
    search = "def total(cart):   \n    return sum(i.price for i in cart.items)  "
    out = apply_search_replace(SOURCE, search, "def total(cart):\n    return 0")
    assert out.endswith("def total(cart):\n    return 0\n")


def test_a_missing_or_stray_blank_line():
    missing = "        return self\n\ndef total(cart):"
    assert "def grand_total(cart):" in apply_search_replace(
        SOURCE, missing, "        return self\n\n\ndef grand_total(cart):"
    )
    stray = "    def __init__(self):\n\n        self.items = []"
    assert "self.items = {}" in apply_search_replace(SOURCE, stray, "    def __init__(self):\n        self.items = {}")


def test_crlf_file_with_lf_search_keeps_crlf():
    crlf = SOURCE.replace("\n", "\r\n")
    out = apply_search_replace(
        crlf, "def total(cart):\n    return sum(i.price for i in cart.items)", "def total(cart):\n    return 1"
    )
    assert out.endswith("def total(cart):\r\n    return 1\r\n")
    assert "\n" not in out.replace("\r\n", "")


def test_ambiguous_search_is_refused_with_the_places():
    text = "x = 1\nprint(x)\ny = 2\nprint(x)\n"
    with pytest.raises(EditError, match=r"matches 2 places \(lines 2, 4\)"):
        apply_search_replace(text, "print(x)", "print(y)")


def test_ambiguous_after_normalising_is_refused_not_first_applied():
    text = "def a():\n    return 1\n\ndef b():\n        return 1\n"
    with pytest.raises(EditError, match="matches 2 places"):
        apply_search_replace(text, "  return 1", "  return 2")


def test_different_text_is_refused_with_the_closest_lines():
    with pytest.raises(EditError) as error:
        apply_search_replace(SOURCE, "def total(basket):\n    return sum(x.cost for x in basket)", "pass")
    message = str(error.value)
    assert "closest lines" in message and "10│ def total(cart):" in message


def test_an_edit_already_applied_says_so():
    done = apply_search_replace(SOURCE, "        return self\n", "        return self  # chained\n")
    with pytest.raises(EditError, match="looks already applied"):
        apply_search_replace(done, "        return self\n    # old\n", "        return self  # chained\n")


def test_empty_search_creates_into_an_empty_file_only():
    assert apply_search_replace("", "", "new\n") == "new\n"
    with pytest.raises(EditError, match="search text is empty"):
        apply_search_replace(SOURCE, "  ", "x")


def test_file_without_final_newline_keeps_it_that_way():
    text = "a = 1\nb = 2"
    assert apply_search_replace(text, "b = 2", "b = 3") == "a = 1\nb = 3"
    assert apply_search_replace(text, "  b = 2", "  b = 4") == "a = 1\nb = 4"


def test_non_ascii_text():
    text = "name = 'café'\nemoji = '🙂'\n"
    assert apply_search_replace(text, "emoji = '🙂'", "emoji = '🎉'") == "name = 'café'\nemoji = '🎉'\n"


def test_lines_split_as_lsp_does():
    assert split_lines("a\r\nb\rc\nd\x0ce\u2028f") == ["a\r\n", "b\r", "c\n", "d\x0ce\u2028f"]


@pytest.mark.parametrize(
    "before, after",
    [
        (SOURCE, SOURCE.replace("return self", "return None")),
        (SOURCE, SOURCE + "\n\ndef extra():\n    pass\n"),
        (SOURCE, ""),
        ("", "new file\n"),
        ("no final newline", "no final newline\nadded"),
        ("a\r\nb\r\n", "a\r\nc\r\n"),
        ("é\n🙂 x\n", "é\n🙂 y\n"),
        ("x\x0cy\nz\n", "x\x0cy\nw\n"),
    ],
)
def test_text_edits_reproduce_the_new_text(before, after):
    edits = text_edits(before, after)
    assert apply_text_edits(before, edits) == after
    assert all(e.start <= e.end for e in edits)


def test_text_edits_are_minimal():
    edits = text_edits(SOURCE, SOURCE.replace("self.items = []", "self.items = {}"))
    assert [(e.start, e.end, e.new_text) for e in edits] == [((2, 0), (3, 0), "        self.items = {}\n")]


def test_unified_diff_for_new_and_deleted_files():
    assert unified_diff("a.py", None, "x\n").startswith("--- /dev/null\n+++ b/a.py\n")
    assert "\\ No newline at end of file" in unified_diff("a.py", "x", "y")


# -- found in review --------------------------------------------------------------


def test_a_block_found_inside_a_longer_line_is_not_the_place():
    text = "def f():\n    value = load()\n    save(value)\n\nold_value = load()\nsave(value)\n"
    out = apply_search_replace(text, "value = load()\nsave(value)\n", "value = load2()\nsave(value)\n")
    assert out == text.replace("    value = load()", "    value = load2()")


def test_tab_indented_files_keep_their_tabs():
    assert apply_search_replace("all:\n\tgcc -o x x.c\n", "    gcc -o x x.c\n", "    gcc -O2 -o x x.c\n") == (
        "all:\n\tgcc -O2 -o x x.c\n"
    )
    go = "func f() {\n\tx := 1\n\ty := 2\n}\n"
    assert apply_search_replace(go, "    x := 1\n    y := 2\n", "    x := 10\n    y := 20\n") == go.replace(
        "1", "10"
    ).replace("2", "20")


def test_a_replacement_with_a_stray_final_newline_adds_no_blank_line():
    assert apply_search_replace("a = 1\nb = 2\n", "a = 1", "a = 2\n") == "a = 2\nb = 2\n"
