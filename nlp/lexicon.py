"""Default domain words: category keywords with weights, and the words of the other intents."""

# Weight 3: the word alone names the category; 2: strong hint; 1: weak hint.
CATEGORY_KEYWORDS = {
    "leak": {
        3: "漏水 渗水 漏雨 渗雨 渗漏 往下滴水 滴水 天花板滴 顶上滴 滴答滴答 滴滴答答 水管爆 爆管 水管破 水管漏 管子漏 漏到我家 渗到 "
           "水渍 水印 吊顶 返潮 防水层 防水 屋顶漏 楼顶漏 房顶漏 往下淌 往里渗 进水 泡鼓 墙皮 鼓包 湿漉漉 往下掉水 灌进来 往外滋",
        2: "漏 渗 天花板 楼上的水 楼上往下 顶上 发霉 霉斑 暖气管 接头 水珠 汪洋 泡了 泡坏 湿了",
        1: "水 雨 墙面 屋顶 楼顶 房顶 顶层 顶楼",
    },
    "drainage": {
        3: "下水道 冒屎 屎汤 粪汤 往外冒 往上冒 冒出来 下水堵 下水管 下水不通 下水慢 下水井 堵了 堵塞 不通 疏通 化粪池 粪水 污水 返水 反水 冒污水 排水 排污 "
           "雨水井 雨水口 排不走 成河 排水不畅 水排不 雨水篦 雨水管 窨井 地漏 马桶 积水 排不出 下不去 冲不下去 淤泥 返臭 污水井 管道堵 蹚水 返上来 往上返 往上冒",
        2: "下水 溢出 漫出 臭水 黑水 脏水 冒水 淹了 淹",
        1: "堵 臭 沟",
    },
    "water_supply": {
        3: "停水 没水 没有水 修泵 水泵 断水 来水 水压 自来水 水质 黄水 浑浊 水发黄 水是黄 铁锈味 二次供水 加压泵 供水 一滴水 用水高峰 "
           "水龙头 漂白粉 水箱 水表 热水压 沉淀",
        2: "水小 水细 水流小 出水 水有 水浑 黄汤 水里",
        1: "水",
    },
    "parking": {
        3: "停车 停车场 车位 地锁 道闸 抬杆 车库 僵尸车 占道停 乱停 停满 挪车 外来车 外来车辆 车牌 停车费 月租车位 新能源车位 "
           "消防通道停 人行道上停 盲道 汽车 轿车 货车 出租车 私家车 车辆 挡车 堵车 倒车 会车 剐蹭 开得飞快 车速",
        2: "车 停在 停着 占用车位 杆子 栏杆抬 挡住",
        1: "开车 出不去",
    },
    "lighting": {
        3: "路灯 楼道灯 声控灯 感应灯 灯泡 灯管 灯不亮 不亮 黑漆漆 黑乎乎 黑咕隆咚 伸手不见五指 一片漆黑 漆黑 灯坏 灯光 "
           "太亮 刺眼 一闪一闪 闪烁 忽明忽暗 照明 景观灯 灯罩 电筒 应急灯不亮",
        2: "灯 黑灯瞎火 看不见 亮着 不灭 灭了 全灭 晃眼",
        1: "晚上 黑",
    },
    "elevator": {
        3: "电梯 升降梯 轿厢 困人 关人 被困 电梯门 平层 维保 年检 加装电梯 梯控",
        2: "困住 困在 卡住 卡在 停在两层 爬楼 钢丝绳 对讲电话 报警按钮",
        1: "按键 显示屏 下坠 往下一沉",
    },
    "sanitation": {
        3: "垃圾 小广告 杂物 狗屎 拉屎 拉尿 狗粪 猫屎 粪便 臭气熏天 清运 垃圾桶 垃圾站 垃圾房 垃圾箱 卫生 打扫 保洁 死老鼠 老鼠 "
           "蟑螂 苍蝇 蚊子 尿骚 异味 臭味 牛皮癣 办证 开锁的 堆放 乱堆 乱放 堆满 堆了 破沙发 瓜子皮 果皮 纸屑 纸壳 纸箱 废品 建筑垃圾 装修垃圾 脏乱差 脏",
        2: "臭 堆 扔 乱扔 霉味 味道 灰 脏兮兮 油乎乎 喷 贴",
        1: "清理 消毒",
    },
    "gas": {
        3: "燃气 煤气 天然气 液化气 燃气表 燃气管 燃气灶 漏气 臭鸡蛋味 燃气费 燃气卡 燃气报警器 气表 气管 总阀 通气 停气",
        2: "气味 火苗 开火 灶",
        1: "气",
    },
    "ebike": {
        3: "电动车 电瓶车 电动自行车 电单车 飞线充电 飞线 充电桩 充电口 充电 电瓶 电池 插线板 拉电线 私拉 车棚 非机动车",
        2: "拉根电线 拉线 吊下来 电线下来 推进电梯 推上楼",
        1: "电线 插座",
    },
    "noise": {
        3: "噪音 噪声 太吵 吵死 吵到 吵得 扰民 广场舞 电钻 装修 施工 打桩 狗叫 狗一直叫 跑跳 拖椅子 敲敲打打 砸墙 音响 喇叭 "
           "唱歌 ktv 狗一叫 狗吠 叫唤 叫一宿 嗡嗡 咚咚 轰隆隆 震天响 睡不着 半夜 凌晨 钢琴 萨克斯 吹 吵架 剁 跑步机 狗嚎",
        2: "吵 响 声音 动静 一大早 大半夜 夜里 一宿 一整夜 通宵",
        1: "晚上 早上",
    },
    "facilities": {
        3: "门禁 单元门 井盖 窨井盖 坑 路面 塌陷 健身器材 扶手 长椅 座椅 监控 护栏 栏杆 围墙 信报箱 滑梯 秋千 闭门器 门锁 "
           "对讲机 伸缩门 大门坏 人脸识别 台阶 地砖 砖 窟窿 凉亭 顶棚 玻璃 窗户玻璃 路坏 坑坑洼洼 刷卡 门卡 防盗门 雨棚",
        2: "坏了 松动 松了 断了 生锈 掉漆 锁不上 关不上 刷不开 破了 裂 塌 翻 楼梯",
        1: "门 路 螺丝",
    },
    "greenery": {
        3: "树 树枝 树木 大树 枯树 树根 草坪 草地 绿化 绿地 绿化带 种菜 菜园 花坛 杂草 修剪 剪枝 虫子 毛毛虫 马蜂窝 蜂窝 "
           "杨絮 柳絮 打药 补种 开荒 种葱 丝瓜 草 花草 秃了",
        2: "叶子 枝 挡光 挡阳光 砍 倒了 刮倒 虫",
        1: "种 绿",
    },
    "property": {
        3: "保安 物业费 物业公司 客服 维修基金 公共收益 业委会 管家 门岗 服务态度 态度差 态度恶劣 不作为 推诿 推脱 踢皮球 "
           "换物业 乱收费 收费 押金 报修 没人来 没人管 不管 不理 敷衍",
        2: "物业 态度 服务 电话 没人接 不接 催费 收钱 证明 通知 推三阻四 一问三不知 办公室",
        1: "管 修",
    },
    "safety": {
        3: "被盗 被偷 偷 小偷 撬 泼水 往下泼 往楼下泼 进贼 贼 入室 盗窃 撬锁 撬门 陌生人 可疑 高空抛物 扔东西 往下扔 从楼上扔 楼上扔 往楼下扔 花盆 砸到 灭火器 消防栓 消火栓 消防箱 消防喷淋 烟感 "
           "着火 起火 失火 火灾 冒烟 浓烟 黑烟 火花 火星 焦味 烧焦 电线裸露 裸露 带电 漏电 配电箱 醉汉 闹事 打架 骗 诈骗 传销 "
           "冒充 烧纸 治安 安全隐患 应急灯 消防门 冒火",
        2: "消防 火 烟 烧 危险 安全 烟头",
        1: "砸 电线",
    },
    "other": {
        3: "违建 违章 私搭乱建 乱搭 搭建 搭了 加盖 群租 日租 隔断 占为己有 调解 纠纷 油烟 摆摊 占道经营 小卖部 棋牌室 "
           "养鸽子 鸽子 承重墙 改成 废品收购 直播 商铺 开店 开了个",
        2: "邻居 对门 占了 占用 圈起来 吵起来 闹得",
        1: "公共区域 走廊",
    },
}

# Rules that override a single word: more specific phrases that decide between two categories.
PHRASE_OVERRIDES = {
    "电梯里的灯": ("elevator", 3), "电梯灯": ("elevator", 3), "地库灯": ("lighting", 2), "车库的灯": ("lighting", 3),
    "车库灯": ("lighting", 3), "消防通道": ("parking", 3), "电动车": ("ebike", 2), "电瓶车": ("ebike", 2),
    "热水器": ("water_supply", 1), "楼道里堆": ("sanitation", 2), "杂物": ("sanitation", 2),
    "装修垃圾": ("sanitation", 3), "燃气管道": ("gas", 2), "井盖": ("facilities", 2), "路灯": ("lighting", 2),
    "水管": ("leak", 1), "爆了": ("leak", 1), "下水道": ("drainage", 2), "停在楼下": ("parking", 2),
    "狗一直叫": ("noise", 3), "狗叫": ("noise", 2), "遛狗": ("sanitation", 1), "充电着火": ("ebike", 4),
    "电动车冒烟": ("ebike", 4), "车冒烟": ("ebike", 3), "电池": ("ebike", 1), "报修": ("property", 1),
    "保安": ("property", 2), "物业费": ("property", 3), "燃气灶打不着": ("gas", 4), "空调外机": ("noise", 2),
    "空调滴水": ("leak", 3), "装修": ("noise", 1), "楼上漏水": ("leak", 3),
    # Water spraying out is a burst pipe: "水喷得到处都是" is no rubbish everywhere.
    "水喷": ("leak", 3), "往外喷": ("leak", 3), "到处都是水": ("leak", 3),
    "下水井盖": ("facilities", 5), "污水井盖": ("facilities", 5), "雨水井盖": ("facilities", 5), "窨井盖": ("facilities", 3),
    "冒充": ("safety", 5), "谁都能进": ("safety", 3), "随便进": ("safety", 2), "没人守": ("safety", 2),
    "吵死": ("noise", 2), "垃圾车": ("noise", 0), "高空扔": ("safety", 9), "往下扔垃圾": ("safety", 6),
    "扔下来": ("safety", 3), "往下扔东西": ("safety", 3), "楼梯间黑": ("lighting", 3), "摔": ("facilities", 0),
    # A wall coming down is a wall (facilities), not a leak nor a throw, unless water is named too.
    "墙皮掉": ("facilities", 5), "墙皮脱落": ("facilities", 5), "墙皮剥落": ("facilities", 5), "外墙皮": ("facilities", 4),
    "外墙砖": ("facilities", 4), "墙砖": ("facilities", 3), "瓷砖": ("facilities", 3), "外墙脱落": ("facilities", 4),
    "差点砸到": ("safety", 0), "砸到人": ("safety", 0),  # who was (nearly) hit: what fell or was thrown decides
    # Smoking in a lift or a corridor is a fire-safety matter; walls blackened by smoke tell of a fire.
    "抽烟": ("safety", 3), "吸烟": ("safety", 3), "熏黑": ("safety", 3), "大小便": ("sanitation", 3), "撒尿": ("sanitation", 3),
    # Someone living alone: the welfare of a person (other), as when nobody answers their door.
    "独居": ("other", 2), "一个人在家": ("other", 2), "一个人住": ("other", 2), "空巢": ("other", 2), "孤寡": ("other", 2),
    "没出门": ("other", 2), "没露面": ("other", 2),
}

# What residents who write in English call each category (whole words: "light" is not in "flight"; + joins the words
# of a phrase). The models learn
# the categories from Chinese lines; these let an English line reach the same weights.
ENGLISH_KEYWORDS = {
    "leak": "leak leaks leaking leaked leakage dripping drips seeping seepage",
    "drainage": "clogged blocked drain drains sewage sewer overflowing overflow toilet",
    "water_supply": "water+outage water+pressure tap+water no+water yellow+water dirty+water",
    "parking": "parking parked car cars vehicle vehicles fire+lane barrier",
    "lighting": "light lights lamp lamps streetlight streetlights bulb dark flickering",
    "elevator": "elevator elevators lift lifts",
    "sanitation": "garbage trash rubbish litter bin bins poop stinks stinky smelly flyers cockroaches rats",
    "gas": "gas",
    "ebike": "e-bike e-bikes ebike ebikes scooter scooters charging",
    "noise": "noise noisy loud barking drilling construction renovation music dancing",
    "facilities": "manhole door gate railing handrail bench benches camera cameras cctv pothole crack playground",
    "greenery": "tree trees branch branches grass lawn bushes pruning",
    "property": "property+management management+fee property+fee guard guards",
    "safety": "theft stolen thief burglar stranger strangers extinguisher extinguishers hydrant thrown",
    "other": "illegal landlord tenants",
}

# Words that only say where something is, or what befell a person ("摔倒" is no fallen tree, "打不通" no blocked
# drain); matched so that a shorter keyword inside them does not count. Someone in a lift does something there:
# "电梯里有人乱贴小广告" is about the flyers.
NEUTRAL = ("单元门口 楼门口 单元门前 门口 楼道口 车库里 车库门口 楼下 楼上 物业说 卡在哪 电梯里有人 电梯里面有人 "
           "摔倒 跌倒 晕倒 打不通 心脏")

# Short messages that are small talk, not a problem.
CHITCHAT = (r"你叫(什么|啥)|你是谁|机器人|真人|天气|笑话|吃了吗|吃饭了|无聊|星期几|几号了|^(哈|呵|嘿|嗯|哦|噢|好|ok|行|收到|知道了)+[的啦吧!！。.~]*$"
            r"|几点下班|在哪(里|儿)?(办|打|领)|怎么办理|聪明"
            # resigned, nothing to fix: "漏水停水都是家常便饭", "住顶楼就这点不好", "还不如坐公交", "哪个小区没有"
            r"|家常便饭|就这点不好|还不如|哪个小区(没有|不是|都)|都(一个样|这样|差不多)|说了也白说|也就这样|懒得说|习惯就好")

# Liking, admiring or enjoying (喜欢, 真好看, 羡慕, 哈哈): small talk that names a thing ("我家狗喜欢在电梯里照镜子")
# tells no problem with it.
FOND = (r"喜欢|爱(看|玩|去|在)|羡慕|感慨|可爱|哈哈|开心|热闹|真(好看|美|香|好吃|舒服|凉快|精神|漂亮|乖|亮堂|好)"
        r"|(好|挺|蛮|特别|超)(美|好看|香|好吃|舒服|凉快|精神|漂亮|乖|可爱|有意思|和气)")

# A "how do I" question that is really a complaint: "维修基金怎么用的也不公示".
# An insult or grumble at people (物业都是垃圾, 你们就是一群废物): it says who, not what is broken.
INSULT = (r"(?:你们|物业|社区|居委会?|网格员?|书记|政府|领导|工作人员|客服|这些人)[^，,。！!？?]{0,4}"
          r"(?:垃圾|废物|饭桶|没用|不干活|不作为|白拿钱|摆设|吃干饭)")
# The property company's staff by their job: named, they make a grumble a report about a service (保洁不干活).
STAFF = r"保洁|清洁工|扫地的|保安|门卫|门岗|巡逻|维修工|维修师傅|电工|水电工|绿化工|园丁|管家|楼长|客服|收费员"
GRIEVANCE = r"不(公示|公开|透明|合理|作为|处理|管|修)|乱(收|花|用)|没人管|太差"

# "煤气管道老化了 物业也不管": who fails to fix it, said beside the problem; no second problem when a thing is named.
NOBODY_FIXES = (r"(?:物业|你们|社区|居委会|网格员)?(?:也|都|根本|一直|还是|就是|从来)*"
                r"(?:没有?人管|不管|不理|不作为|不处理|不来修|不修|没有?人修|没有?人理)")

# Words that describe a problem; a message with none of them and no category keyword is not a complaint.
PROBLEM_CUES = (r"坏|不|没|漏|堵|太|乱|吵|臭|脏|差|难|危险|投诉|反映|举报|问题|管管|咋回事|怎么回事|一直|老是|总是|又|天天|"
                r"每天|整天|好几|严重|影响|受不了|烦|气死|救(?!护车)|快来|赶紧|麻烦|帮忙|请|希望|要求|能不能|尽快|修")

# A question after a repair ("电梯修好了吗", "怎么还没人来修"): a status query unless the message also states
# the problem ("电梯又坏了，什么时候能修好？" reports it).
PROGRESS_ASK = (r"(修|弄|处理|解决|搞|办)(好|完)了?(吗|没|没有|么|嘛|不)|(修|处理|解决|弄)了(吗|没|没有|么|嘛)"
                r"|还(没|没有)(人|来人|派人)(来|过来|上门)?(修|处理|管|回复|联系)?|还(没|没有)(来|上门)?(修|处理|管|回复|联系)"
                r"|(怎么|咋|为什么|为啥)(还)?(没|没有)人(来|过来|上门)?(修|管|处理|理|回复|回)?"
                r"|(什么时候|啥时候|几时|多久)(才)?(能|会|可以|给)?(来)?(修|处理|弄好|解决|派人|有人来|上门)"
                r"|有人(来|管|处理|跟进)(了)?(吗|没|没有|么)|(怎么样|咋样|如何)了"
                # chasing the people on their way: "网格员啥时候来", "消防车来了吗", "怎么还没到", "人呢"
                r"|(什么时候|啥时候|几时|几点|多久|多会儿)(才)?(能|会|可以)?(来|到|过来)(?=[啊呀呢吗啦了嘛哦]*(?:$|[\s,，。!！?？~～]))"
                r"|(来|到)了(吗|没|没有|么|嘛)|(怎么|咋|为什么|为啥)?还(没|没有)(来|到)(?![水电气暖])|人(呢|哪去了|去哪了|都去哪了)")

# Beside a chase, how long one has waited, how slow it is and who is awaited are no new problem: "都半个小时了还没人来",
# "维修师傅几点到".
WAITED = (r"(都|已经|等了|等)?(快|好)?(\d+|[一二两三四五六七八九十几半多好]+)(个)?(多)?(分钟|小时|钟头|天|个?星期|周|个?月)(多)?了?"
          r"|等了?(半天|好久|很久|这么久|老半天)了?|效率(太|真|好|很|也太)?(低|差|慢)了?|(太|真|好|这么)慢了?|急死(了|人)?"
          r"|(维修|修理)(师傅|工人|工|人员|的人)")

# A question asking for information ("物业电话多少", "小区可以停车吗", "明天停水吗"): help, unless it states a problem.
INFO_ASK = (r"(电话|号码|手机号?|联系方式|座机|热线|微信号?)(号码|号)?(是)?(多少|几号|什么|啥|给一下|发一下|发个|给个|告诉我|有吗|有没有)"
            # "有没有物业的联系方式", "给个电话", "居委会电话": asking for a number to call
            r"|(有没有|有无|要个|给个|发个|留个|求个?)[^,，。!！?？]{0,8}?(电话|号码|联系方式|热线|座机)"
            r"|(居委会|社区|物业|物业公司|物业服务中心|服务站|管理处|门卫|保安室|街道)(的)?(电话|联系方式|热线|座机)"
            # a person rather than the bot ("转人工", "人工客服", "客服在吗")
            r"|(转|找|要|接)(人工|真人|客服)|人工客服|客服(在吗|在不在|呢|[?？])"
            # may one do it ("可以停车吗"); not a request for something ("可以放个垃圾桶吗", "能不能装个充电桩")
            r"|(可以|能|能否|允许)(在[^,，。!！?？装加换修建安弄搞]{1,6}?)?(停车|停|养|种|放|晒|摆|烧|充电(?!桩|站|口)|带|遛|进|办|用)(?!个|几|一些|些|点)"
            r"[^,，。!！?？]{0,6}?(吗|么|嘛|[?？])"
            r"|(可不可以|能不能|让不让|准不准|允不允许)(在[^,，。!！?？装加换修建安弄搞]{1,6}?)?(停车|停|养|种|放|晒|摆|烧|充电(?!桩|站|口)|带|遛|进|办|用)(?!个|几|一些|些|点)"
            r"|(明天|后天|明早|明晚|今晚|下周|下星期|周末|周[一二三四五六日天]|星期[一二三四五六日天]|哪天|会不会|要不要|是不是要"
            r"|什么时候|啥时候|几点)(几点|什么时候|啥时候)?(会|要|还会|还要|开始)?"
            r"(停水|停电|停气|断水|断电)(吗|么|嘛|不|没|呢|[?？]|到几点|多久|几天)?")

# A question on how to pay ("物业费怎么交"): help, unless the message also states a problem.
HOWTO_ASK = (r"(怎么|如何|咋|在哪里?|在哪儿|去哪里?|去哪儿|哪里|哪儿|到哪)(能|可以|去)?(交|缴|付|充值|续费)"
             # what it costs ("停车怎么收费", "停车费多少钱一个月"), not a charge complained of ("物业乱收费")
             r"|(怎么|如何|咋)(收费|收钱|计费|算钱)|收费标准|(多少钱|几块钱)(一个月|一年|一天|一小时|一次)"
             # where and how to put rubbish out ("垃圾分类怎么分", "大件垃圾往哪扔", "装修垃圾怎么处理")
             r"|(怎么|如何|咋)(分类?|扔|丢|倒|投放|处理)|(往|在|去|到)?(哪里?|哪儿)(扔|丢|倒|投放)")

# Asking the community to do something ("能不能派人修一下", "可以装个监控吗", "麻烦清一下"): a report, not a question.
REQUEST = (r"(可以|能不能|能否|可不可以|可否|麻烦|请|帮忙|帮我)[^,，。!！?？]{0,8}?"
           r"(修|换|装|加|清|派|处理|管管|剪|弄|检查|疏通|看看|看一下|来看|挪|拖走|补|刷|扫|收|拆)")

# What such a question may hold besides the asking: a greeting, a polite opener, what it refers to ("漏水的事").
QUESTION_WORDS = (r"[^,，。!！?？\s]{0,10}?(的|那个?|这个?)(事情?|事儿|问题)|请问|麻烦问一?下|想问一?下|问一?下|我想问|你好|您好"
                  r"|怎么|为什么|为啥|咋|到底|究竟|[的吗呢啊呀吧嘛么哦哈]|[^\u4e00-\u9fff]")

# Left beside a question, these state a problem: a change (路灯黑了), a stop (停水), how long it has lasted.
STATED = r"了|停(?!车)|到现在|至今|(\d+|[一二两三四五六七八九十几半多好]+)(天|周|个?星期|个?礼拜|个?月|年|小时)|好久|很久|半天"

INTENT_PATTERNS = {
    "cancel": [
        r"^(取消|撤销|撤回|撤了|不用了|算了|不需要了?|不报了)",
        r"(取消|撤销|撤回|撤掉|撤了).{0,6}(工单|报修|投诉|反映|那个|吧|刚才)",
        r"(工单|报修|投诉|反映|那个).{0,6}(取消|撤销|撤回|撤了|撤掉)",
        r"不用(来|派人|管|处理|修)了", r"不需要(处理|派人|来)", r"不报了", r"(发错|搞错|报错)了", r"取消$",
        # taking it back in other words: "当我没说", "撤单", "发错群了", "莫来了", "单子可以关了", "不用社区出面"
        r"当我没说|撤单|关闭(工单|报修|投诉)|结束(这个|那个)?(工单|报修|投诉)|发错(群|人|对象|地方)|瞎报|(不|莫|别)用?(来|过来)了"
        r"|不用啦|不麻烦(你们|师傅|社区|物业)|不用[^,，。!！?？]{0,6}出面|(单子|工单)[^,，。!！?？]{0,6}(关|撤)|就不用了",
        r"(?<![a-z])(cancel|never ?mind|no need|withdraw|by mistake|wrong (building|unit|message|number))(?![a-z])",
    ],
    "status_query": [
        r"进度", r"(查询|查一下|查查).{0,6}(工单|报修|投诉|我的|那个)|问一下.{0,4}(我的|那个)", r"(工单|单号)",
        r"(我报|我反映|我投诉|我提交|我上报|上次|之前|前天报|昨天报|上周报|上次反映|上周反映|报修的事|投诉的事|反映的事|我那个)"
        r".{0,16}(怎么样了|咋样了|如何了|处理了吗|处理了没|修了没|修了吗|有人管|有人处理|有回音|有结果|有人跟进|有人来|来人了吗|到哪|什么时候|啥时候|几时|还没人|办得)",
        r"(处理|办|修)到哪(一步)?了", r"有(回音|回复|结果)(了)?(吗|没)",
        # a ticket number alone or asked about, a nudge, a promise not kept: "100023", "催一下", "说好的周三来修"
        r"^\s*\d{6}\s*$|(?<!\d)\d{6}(?!\d)[^,，。!！?？]{0,6}(谁|怎么|咋|啥|什么|进度|到哪|呢|[?？])|催(一下|一催|单|催)"
        r"|说好(的)?[^,，。!！?？]{0,8}(来|修|到|处理)|(反映|报|说)过了?[^。!！?？]{0,10}(结果|回复|进展|消息|答复)"
        # a promise and the time since: "物业说配件下周到 都过去两周了", "师傅说下午来 现在都晚上九点了"
        r"|说[^。!！?？]{0,14}(来|到|修|换|弄|处理)[^。!！?？]{0,12}(都|已经)[^。!！?？]{0,8}(过去|过了|了)",
        r"(?<![a-z])(any (update|news|progress|feedback)|updates?\?|status|progress|follow(ing)? up|eta|still (waiting|pending)"
        r"|when will|how long (do|will|should)|check (on )?(my|the)|my (case|ticket|report|complaint|request)"
        r"|(is|are) (it|someone|anyone|they) (still )?coming)(?![a-z])",
    ],
    "help": [
        r"^(帮助|菜单|help|使用说明|说明)$", r"怎么(用|报|投诉|反映|提交|操作|联系|找|拍照|上传|弄|使用)",
        r"(能|会|可以)(做|干)(什么|啥|嘛)", r"(干嘛|做什么|干啥)的", r"(有什么|有啥)功能", r"咋(用|弄|报)", r"教教我",
        r"不会(用|弄)", r"要填什么",
        # using the service, who pays or whom to ask: "怎么催单", "工单号在哪里看", "维修费谁出", "该找物业还是开发商"
        r"怎么(取消|催|修改|改|查|看)|(在哪里?|在哪儿|哪里)(看|查)|(能|可以)改吗|值班(吗|么|[?？])|几点(上班|下班|开门|关门)"
        r"|谁(出钱|来出|出)[吗呀啊?？]*$|(该|应该|要|得)找(谁|哪)|(找|归)[^,，。!！?？]{1,6}还是[^,，。!！?？]{0,3}(找|归)?"
        # whose job a thing is: "灭火器归谁管", "监控是谁装的 坏了该谁修"
        r"|归(谁|哪个?(部门|单位|公司))|(该|由|应该)谁(来)?(修|管|换|负责|出钱)|是谁(装|负责|管)的",
        r"(?<![a-z])(how (do|can|to|much|long|many)|where (can|is|do|are|'s)|what time|what's the|is there (a|an|any)"
        r"|can (i|my|we)|do i need|phone number|opening hours)(?![a-z])", r"(报修|投诉|反映|报事)(一般|要|得)?(多久|多长时间)", r"(能不能|可以|能否)(语音|拍照|上传|发图)", r"应该怎么(办|操作|做)",
    ],
    "thanks": [r"谢谢|感谢|多谢|谢啦|谢了|辛苦(了|你们|网格员|啦|各位|师傅)|点赞|👍|🙏|3q|thx|thank|给力|效率真高|服务很好|表扬|夸夸|锦旗"
               r"|(?<![a-z])(appreciate|great job|well done)(?![a-z])"],
    "greeting": [
        r"^(你好|您好|侬好|哈喽|哈罗|嗨|hi|hello|hey|在吗|在么|在不在|有人吗|有人在吗|喂+|早上好|上午好|中午好|下午好|晚上好|早安|"
        r"(你们|大家|各位|师傅|领导|老师|阿姨|叔叔|大姐|小哥|机器人|小助手|网格员|管家|书记|主任)(你)?好|"
        r"早|早啊|请问在吗|你好啊?(小助手|机器人))[呀啊吗么哈!！?？。.~～\s😊🙂👋]*"
        r"(你好|您好|在吗|在么|哈喽|有人吗)?[呀啊吗么哈!！?？。.~～\s😊🙂👋]*$",
        # "在？", "在没", "嘿", "👋", and the season's wishes ("新年好", "中秋快乐", "周末愉快")
        r"^(在|在嘛|在没|在伐|嘿|诶|哎|喂喂|👋|🙋)[呀啊吗么哈!！?？。.~～\s👋🙋]*$"
        r"|^[^,，。!！?？]{0,6}(新年|新春|春节|过年|中秋|端午|国庆|元旦|元宵|周末|节日|节)(快乐|好|愉快)[呀啊!！。~～\s]*$",
    ],
}

# What residents say of a danger in their own words, by kind, whether or not nlp/urgency.py's rules name an
# emergency in it: the urgency model weighs these with the rest of the message ("管子嘶嘶响，头晕" is gas now).
DANGER_WORDS = {
    "gas": "嘶嘶 呲气 冒气 漏气 气味 怪味 臭味 味道 味儿 冲鼻 刺鼻 头晕 头昏 犯恶心 恶心 不敢开灯 不敢点火 打火机 液化气 罐子 "
           "钢瓶 气罐 阀门 接头 冒泡 沼气 灶 煤气 燃气 天然气 瓦斯 gas",
    "fire": "火 烟 呛 烧 焦 糊 火光 红光 燃烧 炸 爆炸 冒火 着了 smoke fire burning",
    "electric": "电线 带电 漏电 触电 打火 插座 插头 电箱 配电 电闸 电表 短路 跳闸 电器 麻手 电到 火花 火星 sparks wire",
    "trapped": "电梯 轿厢 梯 困 卡在 卡住 关着 关在 出不来 开不了 打不开 门开不 不动 井道 关牢 停牢 卡牢 开唔到 出唔嚟 "
               "出勿来 开勿开 袂开 出袂来 内底 stuck trapped",
    "fall": "井盖 井口 盖子 盖板 洞 坑 塌 陷 裂开 掉下去 掉进 护栏 没遮拦 敞着 悬空 摇摇欲坠 往下掉 还在掉 掉渣 砸下来 崩下来",
    "medical": "倒 晕 昏 血 摔 吐白沫 抽搐 呻吟 哼哼 不省人事 没反应 叫不醒 不应 起不来 动不了 不能走 说不出话 发紫 心脏 "
               "骤停 冰凉 咬 砸中 砸破 砸伤 压着 刀 追人 跳楼 要跳 aed 120 救护车 骨折 受伤 hurt bleeding",
}
# Said of a danger now: a cry for help, a hurry, it goes on.
DANGER_NOW = "快 救 赶紧 马上 速 急 现在 正在 还在 一直 越来越 求求 谁来 来人 害怕 吓哭 不敢 !! ！！ help"
