"""Murmuration: the entry point. Every page lives in pages/; this file only names them."""
import streamlit as st

PAGES = {
    "Explore": [("home.py", "Home", "🐦"), ("1_Map.py", "Map", "🗺️"), ("2_Neighbors.py", "Neighbors", "🔎"),
                ("3_Similarity.py", "Similarity", "🟦"), ("9_Compare.py", "Compare", "⚖️"),
                ("10_Concept_axes.py", "Concept axes", "🧭"), ("11_Drift.py", "Drift", "🌊")],
    "Ideas": [("4_Encoding_features.py", "Encoding features", "🔢"), ("5_Words.py", "Words", "🔤"),
              ("6_Context.py", "Context", "🧩"), ("7_Encoders.py", "Encoders", "🕰️"),
              ("8_Recommend.py", "Recommend", "⭐")],
}

navigation = st.navigation({section: [st.Page(f"pages/{file}", title=title, icon=icon, default=file == "home.py")
                                      for file, title, icon in pages] for section, pages in PAGES.items()})
navigation.run()
