"""The web side: the WeChat webhook, the desk (dashboard, Open311, simulator), the app factory."""
