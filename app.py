"""Deployment Scenario Explorer: the Streamlit entry point (`streamlit run app.py`)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from pages.parts import paint, shell, view

HERE = Path(__file__).resolve().parent
# (file in pages/, title, icon, URL path); the first is the default page.
PAGES = (
    ("explore.py", "Explorer", ":material/account_tree:", "explorer"),
    ("compare.py", "Compare", ":material/view_column:", "compare"),
    ("cost.py", "Cost", ":material/payments:", "cost"),
    ("diagrams.py", "Diagrams", ":material/schema:", "diagrams"),
    ("report.py", "Report", ":material/picture_as_pdf:", "report"),
    ("reference.py", "Reference", ":material/menu_book:", "reference"),
)


def navigation() -> StreamlitPage:
    """Configure the browser tab and declare the pages; returns the page the URL names.

    The tab's icon is the app's own file: a page's Material icon as favicon would be fetched from the web.
    """
    st.set_page_config(page_title="Deployment Scenario Explorer", page_icon=str(HERE / "assets" / "favicon.png"),
                       layout="wide", initial_sidebar_state=view.sidebar_state())
    pages = [st.Page(str(HERE / "pages" / file), title=title, icon=icon, url_path=url, default=i == 0)
             for i, (file, title, icon, url) in enumerate(PAGES)]
    return st.navigation(pages, position="sidebar")


def main() -> None:
    """Declare the pages, draw the shared frame (state and sidebar), then run the page the URL names."""
    paint.pause_before_charts()
    with shell.in_app():
        page = navigation()
        shell.frame()
        page.run()


if __name__ == "__main__":
    main()
