"""What the bot says, in one place: short, warm, simplified Chinese."""
from bot.status import STATUS_NAMES

WELCOME = ("您好，欢迎关注！这里是社区的“民呼”报事平台。\n"
           "直接发文字或语音说说遇到的问题，比如“3号楼2单元楼道灯坏了”，我们马上派网格员处理。")
HELP = ("有问题直接告诉我们就行，比如：\n"
        "· 3号楼楼顶漏水了\n· 5栋门口有车堵了消防通道\n"
        "说清楚几号楼（最好带单元）处理得更快。发“我的工单”可以查看进度。")
CHITCHAT = "您好，我是社区报事助手。遇到漏水、停车、路灯、卫生等问题，直接发给我就行，说清楚几号楼哦。"
THANKS = "不客气！有事随时找我们。"
CONTACTS = "{community}的联系电话：\n{lines}"
CONTACTS_END = "有问题也可以直接发给我，我马上登记、派人处理。"
CANNOT_ANSWER = "这个问题我这儿查不到，可以打电话问一下。"
PERSON_WANTED = "想找工作人员的话，可以直接打电话："
CONTACT_LINE = "· {name}：{phone}"
CONTACT_HOURS = "（{hours}）"
ASK_BUILDING = "收到，您说的是{category}的问题。请问是几号楼？（可以加上单元，比如“3号楼2单元”）"
ASK_BUILDING_AGAIN = "没找到{estate}的{building}号楼，请再看一下楼号，比如“3号楼”。"
UNDERSTOOD = "收到，您说的是{category}的问题。"
ASK_ESTATE = "收到！请问您住在哪个小区？请回复小区名称：\n{choices}"
NOT_UNDERSTOOD_BUILDING = "没看出是几号楼，请回复楼号，比如“3号楼”或“3栋2单元”。"
URGENT_PREFIX = "⚠️ 已按紧急情况优先处理！\n"
ACCEPTED = "已受理！工单号：{number}\n问题：{category}（{place}）\n已转交{assignee}处理，有进展会第一时间告诉您。"
NO_TICKETS = "您还没有提交过工单。有问题直接发给我就行。"
MY_TICKETS = "您最近的工单：\n{lines}"
STATUS = STATUS_NAMES  # the desk reads the same words (bot/status.py)
MEDIA_RECEIVED = "收到您发来的内容。请用文字说一下是什么问题、在几号楼，我们好派人处理。"
VOICE_UNCLEAR = "抱歉，这条语音没听清，麻烦用文字再说一下是什么问题、在几号楼。"
MEDIA_KEPT_FOR_REPORT = "收到{what}，先帮您存着。请用文字说一下是什么问题、在几号楼，{what}会一起登记。"
LINK_RECEIVED = "收到您发来的链接。链接里的内容我们看不到，请用文字说一下遇到的问题、在几号楼。"
EMPTY_MESSAGE = "没收到文字内容哦。有问题直接发给我就行，比如“3号楼楼道灯坏了”。"

# Reporting
ASK_HOME = "收到，您说的是{category}的问题。是在您家{place}吗？回复“是”，或者告诉我几号楼。"
ASK_CATEGORY = "收到。请问主要是哪种问题？回复数字：\n1. {first}\n2. {second}\n3. 都不是"
DRAFT_DROPPED = "好的，这条反映先不登记了。有需要随时再发给我。"
# Filed without a building (no answer came): a building said later still places it.
DRAFT_FILED_ASK = "\n告诉我是几号楼，我们马上转给负责的网格员。"
LATE_LOCATED = "已记下：{place}。工单{number}已转给{assignee}处理。"
DRAFT_FILED_PREFIX = "您刚才反映的问题没等到回复，已先为您登记：\n"
ADDED = "已补充到工单{number}，网格员会一并看到。"
ALREADY_REPORTED = "这个问题已经登记在工单{number}了，网格员会处理，不用重复发送。"
DUPLICATE_JOINED = ("已有邻居反映了这个问题（工单号：{number}，{category}，{place}），"
                    "已为您关注此工单，有进展会同时通知您。")
DUPLICATE_NOT_SURE = "\n如果您说的不是{subject}，麻烦再发一条，说说具体是什么问题。"
ASK_URGENT_BUILDING = "\n请马上告诉我们是几号楼，方便网格员赶到。"
ASK_URGENT_BUILDING_AGAIN = "\n没找到{estate}的{building}号楼，请马上告诉我们是几号楼，方便网格员赶到。"
LOCATED = "已记下：{place}。已转给{assignee}处理。"
# While a question waits for its answer: another problem, an emergency, or a question in between.
ALSO_NOTED = "好的，{category}的问题也记下了，和刚才的一起登记。"
ALSO_FILED = "另外，您说的{category}问题：\n"
STILL_ASKING = "\n\n您刚才反映的{category}问题还没登记完：{question}"
ASK_BUILDING_SHORT = "请问是几号楼？"
ASK_HOME_SHORT = "是在您家{place}吗？回复“是”，或者告诉我几号楼。"
ASK_ESTATE_SHORT = "请问是哪个小区？\n{choices}"
ASK_CATEGORY_SHORT = "主要是哪种问题？回复数字：\n1. {first}\n2. {second}\n3. 都不是"
URGENT_ADDED = "已补充到工单{number}，已马上转告负责的网格员和社区，请注意安全。"
URGENT_NOTED = "收到，已马上转告社区，正在安排人赶过去，请注意安全。"
URGENT_PLACE_UNKNOWN = "好的，没关系。您说的情况已马上转告社区，正在安排人赶过去，请注意安全。"
ALSO_LOCATED = "\n您说的{category}问题（工单{number}）也按{place}转给{assignee}了。"
URGENT_CANCEL_HOW = "如果已经没事、不需要人来了，请回复“取消 {number}”。还需要帮忙的话，请告诉我们是几号楼。"
# A resident chasing their own open ticket (催办).
NUDGED = "已帮您催办工单{number}（{category}，{place}）：现在{status}，{holder}，已提醒尽快处理。有进展会第一时间告诉您。"
HELD_BY_GRID = "由{grid}网格员{name}负责"
HELD_BY_SECRETARY = "由社区{name}统一安排"

# Past a resident's quotas (config.yaml's `quotas`); {call} is a number to ring, the community's where it has one.
TOO_FAST = "您发得太快了，请稍等一分钟再发。紧急情况请直接拨打{call}。"
TICKETS_TODAY_ADDED = "您今天反映的问题比较多，这条已补充到工单{number}，网格员会一并看到。着急的话请直接拨打{call}。"
TICKETS_TODAY_FULL = "您今天反映的问题比较多，这条先不新开工单了，明天可以再发。着急的话请直接拨打{call}。"
CALL_COMMUNITY = "{name}电话{phone}"
CALL_EMERGENCY = "110、119或120"

# Media
PHOTO_ATTACHED = "照片已附到工单{number}，谢谢！"
VIDEO_ATTACHED = "视频已附到工单{number}，谢谢！"
LOCATION_ATTACHED = "位置已附到工单{number}。"
VOICE_ATTACHED = "语音已附到工单{number}。不过没听清内容，麻烦用文字再说一下。"
MEDIA_KEPT = "收到，我先帮您记着。请再用文字说一下是什么问题、在几号楼。"

# Follow-up
FOLLOWED = "（关注）"
NOT_YOURS = "没有找到您的工单{number}。发“我的工单”可以看您提交和关注的工单。"
TICKET_DETAIL = "工单{number}：{category}（{place}）\n状态：{status}{extra}"
RESULT = "\n处理结果：{note}"
LAST_FIX = "\n上次处理：{note}"
CANCELLED = "工单{number}已取消。有需要随时再发给我。"
CANNOT_CANCEL = "工单{number}现在是“{status}”，不能取消了。"
UNFOLLOWED = "已为您取消关注工单{number}。"
CANCEL_WHICH = "您要取消哪个工单？请回复“取消 工单号”：\n{lines}"
NOTHING_TO_CANCEL = "您没有可以取消的工单。"
RATED = "感谢您的评价！工单{number}已办结。有事随时找我们。"
RATED_SHORT = "感谢您的评价！工单{number}已办结。"
REOPENED = "很抱歉没让您满意。工单{number}已重新打开，网格员会再来处理。能说说哪里还不满意吗？"
REOPENED_WITH_NOTE = "很抱歉没让您满意。工单{number}已重新打开，已把您的意见转给网格员。"
STILL_BROKEN = "很抱歉还没处理好！工单{number}已重新打开，您说的情况已转给网格员，会再来处理。"
REOPENED_SHORT = "很抱歉没让您满意。工单{number}已重新打开，网格员会再来处理。"
NOTE_PASSED = "您的意见已转给网格员，谢谢！"
ASK_REASON = "能说说工单{number}哪里还不满意吗？直接打字告诉我就行。"
ASK_REASON_AGAIN = "\n\n工单{number}哪里还不满意，也可以直接告诉我。"
NO_REASON = "好的。工单{number}已重新打开，网格员会再来处理，有进展会告诉您。"
CANCEL_HOW = "如果是想取消工单，请回复“取消 {number}”。"
REDO = "工单{number}有邻居反映还没处理好，已重新打开，正在再次处理。处理完会再请您评价。"
WHICH_TICKET = "您有{count}个工单在等您评价，说的是哪一个呢？回复序号就行：\n{lines}"
WHICH_TICKET_SAY_AGAIN = "您有{count}个工单在等您评价，请回复“{verdict} 工单号”告诉我是哪一个：\n{lines}"
ALREADY_RATED = "工单{number}已经评价过了，谢谢您！"
RATED_NOTED = "感谢您的评价！已记下您对工单{number}的意见。有事随时找我们。"
NOTHING_TO_RATE = "您目前没有待评价的工单。工单处理完后，我们会请您评价。"
NOT_YET_RATEABLE = "工单{number}还在处理中，处理完会请您评价。"

# Account
BIND_ASK = "请回复您家的住址，比如“3号楼2单元501”。以后报事可以直接用这个地址。"
BIND_DONE = "已绑定住址：{place}。报事时没说楼号，就按这个地址问您。"
BIND_AGAIN = "没看出是几号楼，请回复比如“3号楼2单元501”。"
BIND_UNKNOWN = "没找到{estate}的{building}号楼，请再看一下楼号，比如“3号楼2单元501”。"
BIND_DROPPED = "好的，先不绑定了。需要时点菜单里的“绑定住址”就行。"
REPORT_HOW = "请直接发文字或语音说说遇到的问题，最好带上几号楼，也可以发照片。"

# Staff
STAFF_BOUND = "绑定成功！{name}您好，您负责{scope}。新工单会推送给您，回复“我的任务”查看。"
STAFF_BOUND_SECRETARY = "绑定成功！{name}您好，您可以处理全部网格的工单，回复“我的任务”查看待办。"
STAFF_BAD_CODE = "这个绑定码无效或已用过，请向社区要一个新的。"
STAFF_CODE_FORMAT = "绑定码是8位数字，请核对后再发，比如“绑定 12345678”。"
STAFF_ALREADY_BOUND = "您已绑定为{scope}的{name}，无需再绑定。回复“我的任务”查看待办。"
STAFF_ALREADY_BOUND_SECRETARY = "您已绑定为{name}，可以处理全部网格的工单，无需再绑定。回复“我的任务”查看待办。"
STAFF_NO_TICKET = "没有找到工单{number}，请核对工单号。"
STAFF_NEED_NUMBER = "请带上工单号，比如“{usage}”。发“我的任务”可以查看您的工单号。"
STAFF_NOT_YOURS = "工单{number}不属于您的网格，不能操作。如需处理请联系社区书记转派。"
STAFF_TICKET = "工单{number}：{category}（{place}）\n状态：{status}{who}\n居民反映：{text}{next}"
STAFF_NEXT_ACCEPT = "\n回复“接单 {number}”接单。"
STAFF_NEXT_RESOLVE = "\n处理完回复“完成 {number} 处理说明”，可附照片。"
STAFF_ACCEPTED = "已接单{number}：{category}（{place}）\n居民反映：{text}\n处理完回复“完成 {number} 处理说明”，可附照片。"
STAFF_ALREADY = "工单{number}现在是“{status}”，无需重复操作。"
STAFF_ALREADY_YOURS = "工单{number}您已接单，正在处理中。处理完回复“完成 {number} 处理说明”，可附照片。"
STAFF_TAKEN = "工单{number}已由{name}接单，正在处理中。"
STAFF_RESOLVED = "工单{number}已标记完成，已请居民评价。辛苦了！"
STAFF_NEED_NOTE = "请带上处理说明，比如“完成 {number} 已更换灯泡”。"
STAFF_TRANSFERRED = "工单{number}已转给{target}。"
STAFF_TRANSFER_SAME = "工单{number}本来就在{target}手上，无需转派。"
STAFF_TO_DEPARTMENT = "工单{number}已登记转{department}协助，请联系{department}{phone}。"
STAFF_TO_DEPARTMENT_SENT = "工单{number}已推送给{department}{phone}，请跟进。"
STAFF_UNKNOWN_TARGET = "没有找到“{target}”。"
STAFF_NEED_TARGET = "请写上转给谁。"
STAFF_TARGETS = "可以转给：\n网格：{grids}\n部门：{departments}\n也可以写网格员姓名，比如“转派 {number} {example}”。"
DEPARTMENT_PHONE = "（电话{phone}）"
STAFF_USAGE = ("可以这样回复：\n接单 工单号\n完成 工单号 处理说明\n转派 工单号 网格或部门\n我的任务")
STAFF_NO_TASKS = "您目前没有待办工单。"
STAFF_TASKS = "您的待办工单共{count}件{own}：\n{lines}"
STAFF_TASKS_OWN = "（您本人负责的{own}件排在前面）"
STAFF_TASKS_MORE = "还有{more}件没列出，请到工作台查看全部。"
STAFF_PHOTO = "照片已附到工单{number}。"
STAFF_PHOTO_WHICH = "这张照片先没有附上：离您上次操作工单{number}有一会儿了。要附到哪个工单，请先回复工单号，再发照片。"
STAFF_NOTED = ("已记在工单{number}的备注里，工作台能看到。需要别人处理回复“转派 {number} 网格或部门”，"
               "处理完回复“完成 {number} 处理说明”。")
STAFF_NOTED_ACCEPT = "已记在工单{number}的备注里。这件还没接单，请回复“接单 {number}”，居民会知道有人在处理了。"
STAFF_ABOUT_TICKET = ("照片和说明都在工单{number}里，工作台能看到。需要别人处理回复“转派 {number} 网格或部门”，"
                      "处理完回复“完成 {number} 处理说明”。")
STAFF_ACK = "收到。发“我的任务”可以查看待办。"
STAFF_ACK_ONE = "收到。要接单请回复“接单 {number}”。"
STAFF_ACK_SOME = "收到。待接单的工单：{numbers}。要接单请回复“接单 {number}”。"

# Pushes (sent by the workers, outside the passive reply)


def clip(text: str, limit: int) -> str:
    """At most `limit` characters; a cut text ends with "…", so the reader knows there is more on the desk."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


PUSH_ACCEPTED = "您反映的{category}问题（工单{number}）已由{name}接单，正在处理。"
PUSH_RESOLVED = ("您反映的{category}问题（工单{number}）已处理：{note}\n"
                 "请您评价：回复“满意”“基本满意”或“不满意”。")
PUSH_CANCELLED_STAFF = "工单{number}（{category}，{place}）已由居民取消，无需再处理。"
PUSH_CANCELLED_FOLLOWER = "工单{number}已被取消。如果问题还在，请直接再发给我们。"
# A ticket closed from the desk without a fix (bot/disposal.py): one kind sentence, no verdict asked.
PUSH_DISPOSED = {
    "invalid": "您好，您反映的{category}问题（工单{number}）经社区核实暂不需要处理，工单已关闭{note}；如有变化，欢迎随时再告诉我们。",
    "referred": "您好，您反映的{category}问题（工单{number}）不属于社区办理范围，已转{department}处理{note}，感谢您的理解。",
}
PUSH_MERGED = "您好，您反映的{category}问题（工单{source}）和工单{number}是同一件事，已合并一起处理，之后的进展会通知您。"
PUSH_DISPOSED_STAFF = "工单{number}（{category}，{place}）已由{by}关闭（{reason}），无需再处理。"
PUSH_REOPENED = "工单{number}（{category}，{place}）居民不满意，已重新打开{note}。请回复“接单 {number}”重新处理。"
PUSH_REOPENED_RESIDENT = "您反映的{category}问题（工单{number}）有邻居说还没处理好，已重新打开，会再处理一次，有进展再告诉您。"
PUSH_RATING_NOTE = "工单{number}居民补充意见：{note}"
PUSH_URGENT_ADDED = "【紧急】工单{number}（{category}，{place}）居民补充：{note}"
PUSH_ADDED = "工单{number}（{category}，{place}）居民补充：{note}"
PUSH_ADDED_SOME = "工单{number}（{category}，{place}）居民补充了{count}条：\n{lines}"
TASK_TRANSFERRED_BY = "（{by}转派）"
TASK_TRANSFER_NOTE = "\n转派说明：{note}"
PUSH_MOVED_AWAY = "工单{number}（{category}，{place}）已改由{target}处理，您无需再跟进。"
PUSH_URGENT_MOVED = "【紧急】工单{number}（{category}，{place}）已改由{target}处理，请您留意。"
PUSH_URGED = "【催办】工单{number}（{category}，{place}）居民催办{times}：{note}\n请尽快处理，并告诉居民进展。"
PUSH_URGED_TIMES = "（第{count}次）"
PUSH_TRANSFERRED_RESIDENT = "您的工单{number}已转交{target}处理。"
PUSH_DEPARTMENT_RESIDENT = "您反映的{category}问题（工单{number}）已请{department}协助处理，有进展会告诉您。"
PUSH_DEPARTMENT = "工单{number}（{category}，{place}）已由{by}转请{department}{phone}协助，请关注。\n居民反映：{text}"
PUSH_TO_DEPARTMENT = "【吹哨报到】{by}请{department}协助：工单{number}（{category}，{place}）\n居民反映：{text}"
PUSH_JOINED = "工单{number}又有居民反映（共{households}户）：{text}"
PUSH_URGENT = "【紧急】工单{number}：{category}（{place}）\n居民反映：{text}\n已推送{assignee}，请关注。"
MEDIA_WITH_DRAFT = "收到，会和您反映的问题一起登记。请先回答上面的问题哦。"
SPOOLED = "收到！系统这会儿有点忙，您的消息已经记下，工单号稍后发给您，不用重复发送。"

# Common replies in chat (完成 100001 #2) and tickets staff enter for someone (代报).
STAFF_NO_SUCH_REPLY = "没有第{n}条常用回复。可以这样发：完成 {number} #1\n{choices}"
STAFF_NO_REPLIES = "（还没有配置常用回复，请直接写处理说明）"
STAFF_ENTERED = ("已代报！工单号：{number}\n问题：{category}（{place}）\n来源：{source}{contact}\n"
                 "已转交{assignee}处理。")
STAFF_ENTER_USAGE = ("代报的格式：代报 [来电/来访/巡查/12345] 问题和位置 [联系电话]\n"
                     "比如：代报 来电 3号楼2单元楼顶漏水 13800000000")
