"""The portal crawler: registry → CMS-family spider → items → archive pipeline (see crawler/spider.py)."""
