from __future__ import annotations

from api.submission import first_text_name


def test_json_documents_are_named_by_the_first() -> None:
    """Texts sent without a name (the page's pasted ones, a script's) were a map called nothing."""
    assert first_text_name(["the app crashes on login", "delivery was late", "too expensive"]) == (
        "“the app crashes on login” and 2 more"
    )
    assert first_text_name(["  one   text  "]) == "“one text”"
    long = "Customer support never answered my e-mail about the refund for order 1234"
    assert first_text_name([long, *["more"] * 1500]) == "“Customer support never answered my…” and 1,500 more"
    assert first_text_name(["x" * 60]) == f"“{'x' * 40}…”"  # one long word: cut where it must be
    assert first_text_name([]) is None
