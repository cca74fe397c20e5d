"""minhu's core: settings, store, routing and the WeChat adapter (the web app lives in bot.web.app)."""
