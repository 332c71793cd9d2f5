"""Murmuration: the entry point. Every page lives in app_pages/; this file only names them. (Not pages/: with a
folder of that name beside this file, a share link that is a fresh server's first request would run its page on
its own, in Streamlit's legacy multipage mode, until some session had run this file's st.navigation.)"""
import streamlit as st

from ui import views

PAGES = {
    "Explore": [("home.py", "Home", "home"), ("1_Map.py", "Map", "scatter_plot"), ("2_Neighbors.py", "Neighbors", "hub"),
                ("3_Similarity.py", "Similarity", "grid_on"), ("4_Compare.py", "Compare", "compare_arrows"),
                ("5_Concept_axes.py", "Concept axes", "explore"), ("6_Drift.py", "Drift", "trending_up"),
                ("7_Quality.py", "Quality", "rule")],
    "Ideas": [("8_Encoding_features.py", "Encoding features", "table_chart"), ("9_Words.py", "Words", "abc"),
              ("10_Context.py", "Context", "psychology"), ("11_Encoders.py", "Encoders", "history"),
              ("12_Recommend.py", "Recommend", "recommend")],
}

navigation = st.navigation({
    section: [st.Page(f"app_pages/{file}", title=title, icon=f":material/{icon}:", default=file == "home.py")
              for file, title, icon in pages]
    for section, pages in PAGES.items()})
views.run(navigation)   # the sidebar, which every page shares (drawn here: see views.run), then the page
