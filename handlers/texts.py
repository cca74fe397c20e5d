"""What the bot says, in one place: short, warm, simplified Chinese."""

WELCOME = ("您好，欢迎关注！这里是社区的“民呼”报事平台。\n"
           "直接发文字或语音说说遇到的问题，比如“3号楼2单元楼道灯坏了”，我们马上派网格员处理。")
HELP = ("有问题直接告诉我们就行，比如：\n"
        "· 3号楼楼顶漏水了\n· 5栋门口有车堵了消防通道\n"
        "说清楚几号楼（最好带单元）处理得更快。发“我的工单”可以查看进度。")
CHITCHAT = "您好，我是社区报事助手。遇到漏水、停车、路灯、卫生等问题，直接发给我就行，说清楚几号楼哦。"
THANKS = "不客气！有事随时找我们。"
ASK_BUILDING = "收到，您说的是{category}的问题。请问是几号楼？（可以加上单元，比如“3号楼2单元”）"
ASK_BUILDING_AGAIN = "没找到{estate}的{building}号楼，请再看一下楼号，比如“3号楼”。"
ASK_ESTATE = "收到！请问您住在哪个小区？请回复小区名称：\n{choices}"
NOT_UNDERSTOOD_BUILDING = "没看出是几号楼，请回复楼号，比如“3号楼”或“3栋2单元”。"
URGENT_PREFIX = "⚠️ 已按紧急情况优先处理！\n"
ACCEPTED = "已受理！工单号：{number}\n问题：{category}（{place}）\n已转交{assignee}处理，有进展会第一时间告诉您。"
NO_TICKETS = "您还没有提交过工单。有问题直接发给我就行。"
MY_TICKETS = "您最近的工单：\n{lines}"
CANCEL_HOW = "如需取消，请回复“取消 工单号”，比如“取消 100001”。"
STATUS = {"new": "已受理", "dispatched": "已派单", "accepted": "处理中", "resolved": "已解决",
          "closed": "已办结", "cancelled": "已取消"}
MEDIA_RECEIVED = "收到您发来的内容。请用文字说一下是什么问题、在几号楼，我们好派人处理。"
VOICE_UNCLEAR = "抱歉，这条语音没听清，麻烦用文字再说一下是什么问题、在几号楼。"
