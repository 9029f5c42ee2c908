"""Deployment Scenario Explorer: the Streamlit entry point (`streamlit run app.py`)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

HERE = Path(__file__).resolve().parent


def main() -> None:
    """Configure the page and run the navigation; every page runs inside it."""
    from pages.common import navigation_context

    st.set_page_config(
        page_title="Deployment Scenario Explorer",
        page_icon=str(HERE / "assets" / "favicon.png"),
        layout="wide",
    )
    pages = [
        st.Page(str(HERE / "pages" / "explorer.py"), title="Explorer", icon=":material/account_tree:",
                url_path="explorer", default=True),
        st.Page(str(HERE / "pages" / "compare.py"), title="Compare", icon=":material/view_column:",
                url_path="compare"),
        st.Page(str(HERE / "pages" / "cost.py"), title="Cost", icon=":material/payments:", url_path="cost"),
        st.Page(str(HERE / "pages" / "diagrams.py"), title="Diagrams", icon=":material/schema:",
                url_path="diagrams"),
        st.Page(str(HERE / "pages" / "report.py"), title="Report", icon=":material/picture_as_pdf:",
                url_path="report"),
        st.Page(str(HERE / "pages" / "reference.py"), title="Reference", icon=":material/menu_book:",
                url_path="reference"),
    ]
    with navigation_context():
        st.navigation(pages, position="sidebar").run()


if __name__ == "__main__":
    main()
