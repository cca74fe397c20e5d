"""The tests' WeChat: the product's loopback stand-in (bot.wechat.standin), under the name tests use."""
from bot.wechat.standin import StandIn as FakeWeChat

__all__ = ["FakeWeChat"]
