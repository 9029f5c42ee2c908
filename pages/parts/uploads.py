"""The sidebar's uploads: an assessment file, and a price book of the customer's negotiated prices."""

from __future__ import annotations

import streamlit as st

from explorer import Catalog, ExplorerError, parse_assessment_text
from explorer.model.formatting import sentence
from explorer.model.price_book import parse_price_book
from pages.parts import state


def assessment_file(cat: Catalog) -> None:
    """Replace the assessment with an uploaded file's (the previous one is kept when it does not validate)."""
    upload = st.session_state.get("upload")
    if upload is None:
        return
    try:
        text = upload.getvalue().decode("utf-8")
        state.replace_assessment(parse_assessment_text(text, f"file '{upload.name}'", cat))
    except UnicodeDecodeError:
        state.notify(f"Assessment file '{upload.name}' is not UTF-8 text; upload a YAML or JSON file.")
    except ExplorerError as exc:
        state.notify(f"{sentence(str(exc))} The previous assessment is kept.")


def price_book(cat: Catalog) -> None:
    """Apply an uploaded price book's valid rows as price overrides; say which rows were refused and why."""
    upload = st.session_state.get("price_book")
    if upload is None:
        return
    try:
        region = (st.session_state[state.STATE].get("constraints") or {}).get("region", "us")
        book = parse_price_book(upload.getvalue().decode("utf-8"), upload.name, cat, region)
    except UnicodeDecodeError:
        state.notify(f"Price book '{upload.name}' is not UTF-8 text; upload a YAML or CSV file.")
        return
    except ExplorerError as exc:
        state.notify(f"{sentence(str(exc))} No price was changed.")
        return
    prices = {**(st.session_state[state.STATE].get("prices") or {}), **book.prices}
    st.session_state[state.STATE]["prices"] = prices
    used = f"Price book '{upload.name}': {len(book.prices)} price(s) applied."
    state.notify("\n\n".join([used, *book.problems]) if book.problems else used)
