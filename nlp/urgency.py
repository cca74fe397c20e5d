"""Decide whether a message reports an emergency happening now; favour recall, but respect negation and the past."""

import re
from typing import NamedTuple

from .scan import Dispatch

# After "someone in the lift": the end of the clause, or words that say the person is stuck.
_STUCK = r"(?:$|[\s,，。!！?？~～]|(?:还|一直|在)?[^,，。!！?？\s]{0,4}?(?:出不来|困|关|卡|下不来|呼救|喊|哭|敲|拍|求救|救|快|按铃|按警铃|打不开))"
# Smoke smelt or thick; harmless when the message names its cause (_HARMLESS_SMOKE).
_SMOKE_SMELL = (r"(?<![油香])烟味|(?<!油)烟(好|很|特别|太|老)大|烟(好|很|特别|太|老)?(呛|重|浓)(?!度)|烧(东西|塑料|橡胶|电线)的?味|糊味"
                r"|(?<![油香])烟[^,，。!！?？]{0,3}(越来越|往外冒|往上飘|往上冒|往里钻|往楼道|一股一股|一阵一阵|看不清)|[白灰黑青]烟(?![花囱])")
# Knocking or calling and nobody answering: an emergency only for a person at risk (_AT_RISK), not an office.
_UNANSWERED = (r"(敲|叫|喊|拍|砸)[^,，。!！?？]{0,3}门[^,，。!！?？]{0,4}(没人|不|没|无人)(应|开|理|答应|回应|反应|动静)"
               r"|(电话|手机|微信)[^,，。!！?？]{0,4}(打不通|没人接|不接|关机|不回)|联系不上|失联")
# A person, named so that no word holding one of these characters counts (公告栏 is no 公公).
_PERSON = r"(?:有人|人|老人|老太太?|老头|大爷|大妈|阿姨|孩子|小孩|老伴|我妈|我爸|她|他|快递员|外卖员|孕妇|弟弟|妹妹)"
# Someone who may be stuck or hurt: the teller, a relative, a child, a stranger.
_SOMEONE = (r"(?:我|我们|人|他|她|孩子|小孩|老人|老太太?|老头|大爷|大妈|[妈爸婆公奶爷姥娘]{1,2}|老伴|女儿|儿子|闺女|阿姨|"
            r"师傅|外卖员?|快递员?|孕妇|保洁|邻居|同学|一家人|几个人|[一两二三四五六七八九几]个(?:人|老人|孩子|小孩)|"
            # 粤 and 吴 words for them ("入面有个阿婆", "阿拉囡囡勒里厢")
            r"阿婆|阿公|阿伯|阿嫲|阿爷|老豆|老窦|老母|细路(?:哥|女)?|细佬|小朋友|囡囡|小囡|宝宝|娃|"
            # 闽南 ("阮阿嬷佇内底", "阮囝")
            r"阿嬷|阿妈|囝仔|囝)")
# Inside a lift: "我在里面", "里面有两个人", "困电梯里".
_INSIDE = (rf"{_SOMEONE}[^,，。!！?？]{{0,6}}(?:在|搁|喺|勒|辣|佇|伫|踮|关在|困在|卡在|被关在|被困在|关勒|困勒|关喺|困喺|关佇|困佇)(?:电梯|电提|梯|升降机)?(?:里面|里头|里边|入面|里厢|里向|内底|里)"
           rf"|(?:里面|里头|里边|入面|内底)(?:还)?有(?:\d+|[一两二三四五六七八九几]+)?个{_SOMEONE}"
           r"|(?:里面|里头|里边|入面)(?:的人|(?:还)?有?(?:\d+|[一两二三四五六七八九几]+)?个?(?:人|老人|小孩|孩子))"
           r"|[在卡困关锁][咗了着]?(?:电梯|电提|梯)(?:里|里面|里头)|(?:电梯|梯)(?:里|里面)?的人[^,，。]{0,3}(?:还|都)?(?:没|没有)出来")
# What says the lift holds them: it will not open or move, or they cry out.
_STUCK_NOW = re.compile(r"打不开|开不了|开不开|不开门|门不开|门也不开|不动|没动|不走了|停了|停住|停在|卡住|卡在|出不来|下不来|掉|往下坠|冲到|没反应|拍门|敲门|"
                        # 粤 and 吴: 停咗, 开唔到, 冇人理; 停牢, 关牢, 出勿来, 开勿开
                        r"停咗|停喺|开唔|出唔|冇人理|冇人嚟|停牢|关牢|卡牢|出勿来|开勿开|半路|半空|"
                        # 闽南: 开袂开, 拍袂开, 出袂来, 无人应
                        r"袂开|出袂|袂动|无人应|"
                        r"喊|哭|害怕|吓|困|关住|关着|关在|被关|卡|按铃|警铃|一直在|快来|快派|救")
_LIFT = re.compile(r"电梯|电提|梯|轿厢|警铃|升降机")
# Shut in the lift said by the verb alone ("关电梯里", "锁梯里头"), or in it for a long time ("在电梯里快一个钟头了").
_SHUT_IN = re.compile(r"[关困卡锁][咗了着住在]?(?:电梯|梯|轿厢)(?:里|里面|里头|里边|入面)"
                      r"|(?:电梯|梯|轿厢)(?:里|里面|里头|里边)[^,，。!！?？\s]{0,3}(?:好久|老半天|半天|好一会|半个?(?:小时|钟头)"
                      r"|[一两二三四五六七八九十几\d]+(?:分钟|个?小时|个?钟头))")
# A power strip, as residents name it: water on it is water on live electrics.
_STRIP = r"插线板|插排|排插|接线板|拖线板|插板|插座板"
# Something hanging, loose or cracked with people below: a fall, of the thing (see _HABITUAL).
_DANGLING = (r"(掉下来|挂在那|耷拉|晃悠|晃荡|晃来晃去|在晃|就晃|直晃|乱晃|歪着|往外歪|要掉|快掉|摇摇欲坠|松动|松了|裂了|掀起来|翘起来|悬着)"
             r"[^。]{0,16}(底下|下面|下边|下方|楼下)[^。!！?？]{0,4}(是|有|就是|都是|好多|站着|人来人往|经常|天天)?[^,，。!！?？]{0,6}"
             r"(人|小孩|孩子|老人|行人|学生|车|单元门|门口|大门|出入口|路)")
# Water a person can go under: a pond, a pool, a river (never a drain: "钥匙掉进下水道").
_WATER = r"(?:水里|水中|水池|池子|池里|鱼池|泳池|喷水池|景观池|池塘|水塘|荷花池|河里|河道|河中|湖里|湖中|塘里)"
# What may stand beside a fire emoji in a message that is nothing else: an address, a cry, punctuation.
_FILLER = r"[\W\d a-z_号楼栋幢座单元室道层上下里边快急救命来人啊呀了吧车棚库场房]"

# Each trigger names a danger to a person right now (CATEGORIES.md, "Urgent"), with the kind of danger it is.
TRIGGERS = [
    # gas smell or leak
    ("gas", r"(煤气|燃气|天然气|液化气|瓦斯)[^,，。!！?？]{0,4}(味|泄漏|泄露|漏了|在漏|漏气|漏出)"), ("gas", r"漏气"), ("gas", r"臭鸡蛋味"),
    ("gas", r"(燃气|煤气)报警器?[^,，。]{0,3}(响|叫|报警)"), ("gas", r"(燃气|煤气|天然气)(管|管道|管子)[^,，。]{0,6}(撞|断|破|裂|嘶嘶)"),
    ("gas", r"闻着头晕"), ("gas", r"(有|一股|闻到|好重的|很重的|很大的)[^,，。]{0,4}(煤气|燃气|天然气)(?!公司|费|卡|灶打|表不)"), ("gas", r"臭鸡蛋.{0,3}(味|气)"),
    # a person trapped in a lift
    ("trapped", r"(困人|关人|困住|困在(?!家|楼里|屋里|小区)|(?<![刚才])困着(?![了又])|被困(?!在(家|楼里|屋里|小区))|被关|卡住了?人|关在里面|关在电梯|夹住了?人)|困了(一|两|几)?个?(人|老人|小孩|孩子)"),
    # Someone merely in the lift ("电梯里有人抽烟", "...乱贴小广告") is not trapped: the words after must say stuck, or nothing.
    ("trapped", rf"(电梯|梯).{{0,12}}(?<![屋家])(里面?|里头)[^,，。]{{0,3}}(有人|有老人|有小孩|有孩子)(?={_STUCK})|(电梯|梯).{{0,12}}(里面?|里头)[^,，。]{{0,3}}人出不来"),
    ("trapped", r"(电梯|梯)[^。]{0,12}(出不来|出不去|停在两层)"),
    # "电梯停在负一层不动了 里面还有个送外卖的在拍门": someone inside a stopped lift knocking to get out (round 10)
    ("trapped", r"(电梯|梯)[^。]{0,20}(里面|里头|里边)(还)?有[^,，。!！?？]{0,8}(拍门|敲门|砸门|拍打|呼救|喊救命)"),
    # "在电梯里上不来下不去": inside a lift that goes neither way (round 10); "老人上不来下不去" without the lift's inside is the stairs
    ("trapped", r"(电梯|梯|轿厢)(里|里面|里头|里边)[^。]{0,6}(上不来|上不去)也?(下不去|下不来)|(电梯|梯|轿厢)(里|里面|里头|里边)[^。]{0,6}(下不来|下不去)也?(上不来|上不去)"), ("trapped", rf"(里面|里头)(还)?有(人|老人|小孩|孩子|我妈|我爸)(?={_STUCK})"),
    # fire and smoke; sparks are an electrical danger first
    ("fire", r"(?<![打点开])(?<!打不)(?<!点不)(?<!打得)着火|(楼道|家|屋|房子|房间|厨房|车|楼)里?着了|烟雾(?!报警|探测)|起火|失火|火灾(?!报警|自动|隐患|演练|保险|探测)|烧起来|火势(?!图)|火(越来越|越烧越|烧得)大|火(蔓延|烧到|烧过来)|冒烟|浓烟|黑烟|冒火(?![花星])|明火|火苗窜|焦味|烧焦|焦糊"),
    ("electric", r"火花|火星"),
    # the past form ("楼里着过火", "电梯困过人"): a hit the timeline then reads as past, so the model adds no alarm
    ("fire", r"(着|起|失)过火"), ("gas", r"漏过气"), ("trapped", r"[困关]过人"),
    # bare live wires, water on electrics
    ("electric", r"(?<!充)电线[^,，。]{0,6}(裸露|露|外露|断|掉|垂|耷拉|冒|烧)|(裸露|露出)[^,，。]{0,4}电线|(电线|线|铁门|栏杆|水管|门把手|扶手)[^,，。]{0,6}(带电|有电)|带电|漏电|触电|电到人|短路|电打火"),
    ("electric", r"(电线|线)[^。]{0,8}(外皮|线皮|皮|绝缘层?)[^,，。]{0,5}(破|烂|掉|裂|没了|脱落)"),  # the copper shows
    ("electric", rf"(水|漏|渗)[^。]{{0,16}}(电闸|电表|电箱|配电|插座|电线|灯上|灯里|开关|{_STRIP})"),
    ("electric", rf"(电闸|电表|电箱|配电|插座|开关|电线|灯|{_STRIP})[^。]{{0,6}}(全是水|都是水|进水|泡水|湿了|往下滴|滴水|有水|淌水)"),
    ("electric", r"(电闸|电表箱?|电箱|配电箱|插座)[^,，。]{0,4}(进水|泡水|湿)"),
    ("fire", r"(电池|电瓶)[^,，。]{0,6}鼓包"),
    # open manholes, collapse
    ("fall", r"井盖[^,，。]{0,4}(没了|没有了|丢|不见|被偷|碎|翻|掀|缺|塌|没盖)"), ("fall", r"没(有)?井盖"), ("fall", r"(大)?窟窿"),
    ("fall", r"塌陷|坍塌|(?<!泡)(?<!泡得)塌了(?!一块|一角|一点|一小块|个角|一个角|一个口|个口|一条缝|一段|一截|一部分|皮)|塌下来|掉下去(?!过)|掉进去|(?<![网棚墙顶门窗布袋衣裤鞋纱])(?<![网棚墙顶门窗布袋衣裤鞋纱].)(?<![网棚墙顶门窗布袋衣裤鞋纱]..)大洞"),
    ("medical", r"跳楼(?!层)|轻生|(?<!气)晕倒|昏倒|流血|受伤|砸伤|砸到人了"),
    ("electric", r"电梯井?进水"), ("medical", r"救命(?!的|钱|稻草)|救救|快救|快来人(?!通|修|看|处理|弄|收|清|管)"), ("fire", r"火(还|仍)?(没|没有)(灭|扑灭)|火势|火很大|大火|烧着了|烧起来了"),
    # the fire goes on after the call: "打了119，火还在烧"; a call for the fire brigade or an ambulance is news of one
    ("fire", r"火[^,，。!！?？]{0,3}在烧|(还|仍然?|一直)在烧(?![纸香烤饭菜水])|烧得(很|好|特别|太)?(厉害|旺|猛)"),
    ("fire", r"(打|拨|叫)了(119|火警)|119(已经|已|刚)?(打|拨)了"), ("medical", r"(打|拨|叫)了(120|急救|救护车)|120(已经|已|刚)?(打|拨)了"),
    # a smell of smoke or burning nobody explains (see _HARMLESS_SMOKE)
    ("fire", _SMOKE_SMELL), ("fire", r"(有|好多|很多|全是|都是|一股|大|满)烟(?![头囱花草民酒盒灰味])"),
    # a person down and hurt, or not answering behind their door (see _AT_RISK)
    ("medical", r"(摔|跌|晕|昏|倒在|倒地|躺在|躺地)[^。!！?？]{0,8}(起不来|爬不起来|站不起来|动不了|不能动|不动了|没反应|叫不醒|不省人事)"
               r"|(?<![辆车树杆牌子])(倒|躺)在?地上(?![沟])|叫不醒|不省人事|昏迷|没(有)?意识|没(有)?呼吸|喘不上气|呼吸困难|抽搐|口吐白沫|(?<!快)(心脏病|犯病|发病)(犯|发作)?了"
               r"|摔伤|跌伤|摔破了?(头|腿|胳膊|手|脸)|摔(断|骨折)了?(腿|胳膊|手|骨头)"),
    ("medical", _UNANSWERED),
    # Added for voices the first rules missed (the corpus's writers): said without the rules' words.
    ("gas", r"(煤气|燃气|天然气|液化气|瓦斯|燃气表|燃气灶|燃气管|气表|气管|灶)[^。!！?？]{0,18}(嘶嘶|(?<![没无])味|冒泡|在漏)"),
    ("gas", r"(像|似|似系|好像|像是|怀疑是?|可能是|应该是|是不是)(是|那种|那个)?(煤气|燃气|天然气|液化气|瓦斯)"
            r"|(跟|和)(煤气|燃气|天然气|液化气)[^,，。]{0,3}(一样|似的|差不多)"
            # likened with the time it leaked before: "跟以前液化气罐没拧紧的时候一个味"
            r"|(跟|和|像)[^,，。]{0,8}(煤气|燃气|天然气|液化气|瓦斯)[^,，。]{0,12}(一个味|一样的?味|那种味|那个味|的味道?一样|似的)"),
    ("gas", r"(燃气|煤气|天然气)[^,，。]{0,6}报警器?[^,，。]{0,6}(响|叫|闪|报警)|燃气表[^。]{0,10}(在走|在转|(?<!不)走字)"),
    ("gas", r"嘶嘶[^。]{0,12}(总阀|阀门|燃气|煤气)|(总阀|阀门|燃气表|气表|表|灶|气管)[^。]{0,12}嘶嘶"),
    ("gas", r"gas ?smell|smells? (like )?gas|gas leak|(有|闻到)[^,，。]{0,3}gas"),
    ("trapped", _INSIDE), ("trapped", r"困[咗了着]人|[关困]着(俩|仨|[一两二三四五六七八九几\d]个)?人|把人给?(关|困|卡)(住|里|在)|[关困]了(一|两|几)?个|someone inside|people inside|stuck in|trapped|停半空|停在半空|扒不开|扒门|(出不来|出不去)[^。]{0,6}(电梯|梯)|(电梯|梯)门?[^,，。]{0,4}(夹|卡)(住|到|了)[^,，。]{0,6}(人|手|脚|胳膊|腿|头|小孩|孩子|老人)"),
    ("fire", r"冒[白黑青浓]?烟|[起冒]了?[白黑青浓]烟|自燃|燃起来|着了火|烧着|(东西|什么)在烧|火(挺|好|很|特别|老)大|火光|(有|冒|窜|蹿)火苗|一[团股]火"
             r"|(箱子|纸箱|纸壳|东西|垃圾|被子|衣服|沙发|车|棚)着了"
             r"|(?<![a-z])(smoke|fire)(?![a-z])"),
    ("fire", r"烟(雾|感)报警器?[^,，。]{0,6}(响|叫|报警)"),
    ("medical", rf"(流|出|淌|冒)了?(好多|很多|不少|一地|一脸|满脸)?的?血|满(脸|头|身|手)(是|都是)?血|一身血|(?<![木石码枕馒锄斧])头破|磕破|骨折|(腿|胳膊)好像断了"
                rf"|(?<!气)晕了|昏了|(?<!气)晕过去|昏过去|倒下了|倒地(?!沟|板|砖)|一动不动|躺着不动|意识不清|{_SOMEONE}被[^,，。]{{0,4}}咬(了|伤)"
                rf"|(摔|跌|绊|滑|撞|倒|压)[^。!！?？]{{0,16}}(起不来|爬不起来|站不起来|动不了|不能动)"
                rf"|{_SOMEONE}[^,，。]{{0,8}}(摔|跌|滚)(下来|下去)|砸(到|中|伤)了?(一个|个)?{_SOMEONE}(?![的家车晾放种挂养停])"
                rf"|(?<!呼)(叫|喊|拍)[他她人]?[^,，。]{{0,2}}(没反应|不应|没动静)|(快|赶紧)?叫(救护车|120)|快打120|(有人|{_SOMEONE})倒在"
                r"|咬(人|伤)了?|咬破|头磕(到|破|伤)|磕到头"
                # fallen and now drowsy, confused or hardly answering ("摔了一跤 现在迷迷糊糊的 问话也不怎么答")
                r"|(摔|跌|磕|撞|滚|栽)[^。!！?？]{0,24}(迷迷糊糊|迷糊|糊涂|昏昏沉沉|昏沉|想睡|犯困|睁不开|认不出|不太?(应|答|理人)|不怎么(应|答|说话|理人)|没(啥|什么)?反应)"),
    ("medical", r"(门|器材|秋千|滑梯|闸)[^,，。]{0,6}(夹|卡)(住|到|了)[^,，。]{0,6}(手|脚|胳膊|腿|头|小孩|孩子|老人)"
                r"|(手|脚|胳膊|腿|头)[^,，。]{0,8}(夹|卡)住"),
    ("fall", r"(井|沟|坑|洞)[^,，。!！?？]{0,8}(没有?|不见了?|丢了?|唔见)[^,，。]{0,2}(盖|盖子|盖板|篦子)|(盖板|篦子)[^,，。]{0,4}(丢|没了|不见|唔见)"
             r"|(井|沟)[^,，。]{0,4}(盖子|盖板|篦子)[^,，。]{0,4}(没了|丢|不见|唔见|被偷)|井盖子?[^,，。]{0,4}(偷|唔见|陷)|黑洞洞|黑窟窿|(井|窨井)[^,，。]{0,4}敞"),
    ("fall", r"(地|地面|路面|路)[^,，。]{0,4}陷|(半人|一人)多?深|(坑|洞)[^,，。]{0,4}(很深|好深|挺深)|要塌|快塌了|掉进(水池|水里|池子|河|湖|井|坑|沟)"),
    ("electric", r"(线头|铜线|铜丝|铜片|线芯)[^,，。]{0,6}(露|裸|在外)|露(着|出)[^,，。]{0,3}(铜线|线头|铜丝|铜片)|(线|线头|电线)[^,，。]{0,6}(通电|通着电)"
                 r"|(?<![光网])线[^,，。]{0,6}露(出|在|着)"),
    ("electric", r"电线杆[^,，。]{0,4}(倒|断)|((?<!充)电线|线头|电缆)[^,，。]{0,6}(拖|掉|垂|耷拉)"
                 r"|(电线|线|电箱|电表|插座|开关|电灯|灯|变压器|配电)[^。]{0,10}(噼里啪啦|噼啪|滋滋|啪啪|滋啦)"
                 # a flash or a crack at the box itself ("淌到电表箱上了 刚才还啪地闪了一下")
                 r"|(电箱|电表|配电|电闸|插座|开关)[^。]{0,16}(啪的?一声|啪地|闪了一下|闪了下|冒了一下|嘭的?一声)"
                 # a tree or a branch broken or fallen onto a live line ("树断了一大枝 横在路上 还压着一根电线"); one
                 # that grew onto the wires ("树枝压到电线上了，风一吹就晃") is pruning, as most writers label it
                 r"|(树|树枝|枝|枝子|树干|树杈|竹子)[^。]{0,6}(断|倒|折|刮下来|掉下来)[^。]{0,16}(压|搭|挂|靠|砸|倒|横)(在|着|到)?[^,，。]{0,6}(电线|高压线|电缆|线上)"),
    ("electric", r"(水|漏|渗)[^。]{0,16}(灯线|吊灯|灯座|灯那|灯口|电视|电器|插着电|按钮|电梯井)|(水|漏)[^。]{0,16}灯[^,，。]{0,3}(闪|在闪|还亮着|亮着)|(按钮|电梯井)[^。]{0,6}(泡水|进水|灌)"
                 rf"|(电线|线|插座|插头|音箱|电器|{_STRIP})[^。]{{0,6}}(泡着|被水泡|泡在水)"),
    # Water on a thing still switched on ("滴在浴霸上，浴霸还开着"), a strip or a wire out in the rain, a crackle in it.
    ("electric", rf"(水|漏|渗|滴)[^。]{{0,24}}(浴霸|灯|排气扇|换气扇|热水器|电器|插座|{_STRIP}|电视|冰箱|洗衣机)[^。]{{0,8}}"
                 r"(还开着|开着呢|还亮着|亮着|还转着|还在转|还插着|插着电|通着电|没断电|还在用)"
                 rf"|(滴|流|淋|浇|灌|淌|漫|冲|溅|喷|渗)(在|到|进)[^,，。]{{0,6}}(浴霸|电器|灯|插座|{_STRIP}|电箱|电表|开关|电线|充电|配电|电闸)"
                 rf"|({_STRIP}|电线|插座|充电器|充电线)[^。]{{0,20}}(淋着|淋湿|泡在?水|泡着)"),
    # Said in residents' own words, not the words above (issue #21): a smell with a headache, gas hissing or puffing
    # out, a smell likened to a stove or a lighter; a person gone down, not answering, bleeding or struck; someone
    # stuck inside a lift; a fire seen or burning; wires sparking; a hole with nothing over it; a weapon drawn.
    ("gas", r"(味|气味|臭味|怪味|味道|味儿)[^。!！?？]{0,12}(?<!熏得)(?<!熏得人)(?<!熏得我)(头晕|头昏|头疼|头痛|头发沉|头也发沉|发晕|人有点晕|熏倒)"
            r"|(头晕|头昏|头疼|头痛)[^。!！?？]{0,12}(味|气味|臭味|怪味|味道|味儿)"
            r"|(嘶嘶|呲呲|丝丝|嗤嗤|咝咝)[^。]{0,12}(味|气)|(味|气)[^。]{0,12}(嘶嘶|呲呲|丝丝|嗤嗤|咝咝)|(滋滋|呼呼)[^。]{0,10}(味|冒气|出气)"
            r"|(往外|一直|在)(呲|冒|出|喷)气|呲气|(像|跟|似)[^,，。]{0,10}(没点着|打火机[^,，。]{0,4}气|烧饭的气|做饭的气|开了灶|罐子的?那种气)"),
    ("medical", rf"(突然|一头|一下子?|走着走着就?)[^,，。]{{0,3}}(倒了|倒下|栽倒|歪倒|晕)|(?<!被)({_PERSON})[^,，。]{{0,3}}(?<![滑绊])倒了(?![一些点水])"
                r"|吐白沫|说不出话|不会说话了?|说话(突然)?不利索|嘴(角)?歪|中风|骤停|喘气很急|胸口疼|肚子疼得|要生了|捂着肚子|(疼|痛)得?[^,，。]{0,3}打滚|打滚[^,，。]{0,3}(喊疼|喊痛|叫疼|叫唤|哭喊)"
                r"|(?<!呼)(叫|喊|唤)[他她佢人]?[^,，。]{0,2}(莫得|冇|唔|没)(反应|应)|不会动|孩子不动|身上冰凉|哼哼|呻吟|晕(在|到|低)|熏倒"
                rf"|(全是|都是|一脸|一手)血|血流|{_PERSON}[^,，。]{{0,4}}被[^,，。]{{0,4}}(撞|推|拖)倒|(撞|推|拖)倒了?(一个|个)?{_PERSON}"
                r"|烫伤|砸破|砸中|压(住|着)了?[^,，。]{0,4}(人|一个|个|小孩|孩子|老人)"
                r"|(坐|躺|倒|蹲)[^,，。]{0,4}地上[^,，。]{0,6}(起不来|动不了|不动|哭)|(说|喊)?起不来了"
                r"|(叫|喊|推|拍)[^,，。]{0,3}都(不醒|没反应|不应)|(叫|喊|推)不醒"
                rf"|{_PERSON}[^,，。]{{0,4}}从[^,，。]{{0,6}}(阳台|窗户|窗台|楼上|楼顶|楼梯)上?(掉|摔|跌|滚)(下来|下去)"
                r"|(拿|持)着?(刀|菜刀|铁棍|棍棒|剪刀|凶器)|(要|想)跳(楼|下去)?(?=$|[,，。!！?？])"),
    ("trapped", r"困(梯|电梯)|(卡|关|困)(在|住|牢|着)?[^,，。]{0,2}(里面|里头|里边|里厢|里向|入面)|(现在|还|都|一直)在(电梯)?(里面|里头|里边|里厢)"
                r"|(电梯|梯)[!！\s]*有人[!！]"),
    # A stove whose flame will not go out is gas still coming; paper or rubbish burning in a stairway, with smoke,
    # fire or things that catch beside it, is a fire now ("楼道里有人烧纸 烟熏火燎的"); "烧纸的烟味" is only a smell.
    ("gas", r"(燃气灶|煤气灶|灶(?!台)|(?<![防灭])火|旋钮|燃气阀门?|煤气阀门?)[^。!！?？门窗柜盖]{0,12}(关不死|关不掉|关不上|关不住|灭不了|灭不掉|拧不死|拧不上|不灭)"
            r"|关了[^,，。]{0,4}火苗?还"),
    ("fire", r"(楼道|走廊|楼梯间?|过道|消防通道)里?[^,，。]{0,4}烧(纸|东西|垃圾|杂物)(?!的)[^。]{0,16}(烟|火|纸箱|纸壳|杂物)"),
    ("fire", r"着起来|火苗[^,，。]{0,4}(高|蹿|窜)|(看到|看见|冒出|冒出来)[^,，。]{0,2}烟(?![头囱花草民酒盒灰味瘾])|烟从[^,，。]{0,6}(钻|冒|飘|涌|往)"
             r"|有火(?![车锅炉柴罐机气])|正在烧|在烧(?![纸香烤饭菜水开])|(杂物|草|草地|电驴子?|房子|屋|一户|窗帘|油锅|柴)[^,，。]{0,3}(着了|烧起来|在烧)"
             r"|(烧|着)得噼里啪啦|火往|复燃|红色的光"),
    ("electric", r"(线|电线|插座|插坐|插头|灯|电缆)[^。]{0,10}打火|在打火|打火了|放电(?![动瓶线车])|麻了一下|电麻|spark"
                 r"|被电(了|到|着|一下)|电了(我|一下)|(摸|碰)[^,，。]{0,8}(发麻|有点麻|手麻|一麻|麻麻的|麻了)"
                 r"|(水|漏|渗)[^。]{0,16}充电(桩|柜|插座)|(开关|插座|电闸|电箱)[^。]{0,6}(渗水|流水|冒水)|水[^,，。]{0,4}顺着(灯|电线|插座|开关)"),
    # Something about to fall with people below ("雨棚掉下来半边，挂在那晃，底下人来人往"): a fall, of the thing.
    ("fall", _DANGLING),
    # One piece fell and more hang loose ("刚掉了一块瓷砖…上面还有几块松的，随时还会掉"): the next may hit someone.
    ("fall", r"(瓷砖|砖|玻璃|墙皮|外墙|保温|板|棚|招牌|广告牌|空调|花盆|窗|石头|水泥|铁皮|瓦)[^。]{0,8}(掉|落|砸)[^。]{0,24}"
             r"(还有|剩下|剩的|另外)[^。]{0,10}(松|翘|悬|要掉|快掉|随时|晃|挂着)"),
    # A chunk fell and more is still coming down ("车库顶掉了一块水泥…上面还在往下掉渣"): the next may hit someone.
    ("fall", r"(顶|天花板|吊顶|水泥|混凝土|墙|瓷砖|砖|石|楼板|阳台|檐|棚)[^。]{0,12}(掉|落|崩|塌|砸)[^。]{0,30}"
             r"(还在|还|不停地?|一直|仍在|继续)[^,，。]{0,4}(往下|向下)(掉|落|砸|崩)(?!灰)"),
    # A smell that goes on, with gas named before it ("燃气公司换表换了一半…这几天一直有股味儿").
    ("gas", r"(煤气|燃气|天然气|液化气|气表|气管|气罐|钢瓶)(?!费|卡|缴|充值|账单)[^。!！?？]{0,40}?"
            r"(一直|还|总|老|越来越|这几天|好几天|几天了|两三天|到现在)[^,，。臭圾烟霉香尿粪酸腥水没无不]{0,5}(味|气味)"),
    # Something big coming down now where people are ("大树还在往下倒，底下是人行道", "广告牌快倒了，正对着公交站").
    ("fall", r"(往下掉|往下倒(?![水剩饭菜汤茶垃圾脏污洗尿油东西])|往下砸|往下落|往下塌|快要?倒|要倒了|倒下来|砸下来|随时(会|要|可能)?(掉|倒|塌|砸))[^。]{0,16}"
             r"(底下|下面|下边|下方|楼下|旁边|边上|正对着|对着)[^。!！?？]{0,4}(是|有|就是|都是|好多|站着|人来人往)?[^,，。!！?？]{0,6}"
             r"(人|小孩|孩子|老人|行人|学生|公交站|车站|幼儿园|学校|单元门|门口|大门|出入口|路口)"),
    # Someone slipped into a pond or a pool ("景观池那有个小孩滑进去了，大人正在捞"): a life at risk now.
    ("medical", rf"{_SOMEONE}(?:不小心|一下子?|刚才|刚刚|自己)?(掉|滑|跌|摔|栽|落|翻)(进|到|下|入)了?[^,，。!！?？]{{0,6}}{_WATER}"
                rf"|{_WATER}[^,，。!！?？]{{0,8}}{_SOMEONE}[^,，。!！?？]{{0,3}}(掉|滑|跌|摔|栽|落)(进去|下去|进水)"
                rf"|{_WATER}[^,，。!！?？]{{0,4}}(掉|滑|跌|摔|栽|落)(进去|下去)了?(一|两|几)?个{_SOMEONE}"),
    ("fall", r"(洞|坑|井|口子)[^。]{0,8}(敞着|没遮拦|没人围|不围|也不围)|没盖(盖子)?的(井|洞|坑)"
             rf"|{_PERSON}[^,，。]{{0,6}}掉(到|进|下)[^,，。]{{0,6}}(坑|洞|井)"),
]
# A message of nothing but fire and where ("🔥🔥🔥 5号楼"); beside a stated problem 🔥 is only anger.
_FIRE_ONLY = re.compile(rf"{_FILLER}*火[火{_FILLER[1:-1]}]*")
# Most messages report no emergency: some hundred alternatives, each position trying only those that can start there.
_TRIGGER = Dispatch([t for _, t in TRIGGERS])
# Each trigger alone, to tell which one a hit is: named groups in _TRIGGER would halve the speed of every scan.
# Compiled on a message's first hit, not at import: most messages never need them (cold start).
_EACH = []

# The kinds of danger, most pressing first: the safety advice follows the first one a message reports.
DANGERS = ("fire", "gas", "electric", "trapped", "fall", "medical")
# Dangers that last until someone fixes them: "上周井盖丢了，还没补" is an open hole today; a fire or a
# trapped person, once past, is over.
LASTING = frozenset({"gas", "electric", "fall"})

# The category an emergency usually belongs to, to break ties in its favour.
KIND = [
    ("gas", re.compile(r"煤气|燃气|天然气|液化气|瓦斯|漏气|臭鸡蛋")),
    ("elevator", re.compile(r"困|被关|关人|电梯|梯|升降机|入面|里厢|里向")),
    ("facilities", re.compile(r"井盖|窟窿|塌|掉下去|掉进去|大洞|掉下来|挂在那|耷拉|晃|歪|要掉|快掉|摇摇欲坠|松|裂")),
    ("leak", re.compile(r"^(水|漏|渗)|进水|泡水")),
    ("safety", re.compile(r"火|烟|焦|电线|带电|有电|漏电|触电|短路")),
]

_SMOKE_SMELL_AT = re.compile(_SMOKE_SMELL)
_INSIDE_AT = re.compile(_INSIDE)
_STUCK_IN_AT = re.compile(r"(卡|关|困)(在|住|牢|着)?[^,，。]{0,2}(里面|里头|里边|里厢|里向|入面)|(现在|还|都|一直)在(电梯)?(里面|里头|里边|里厢)")
_SMOKE_SEEN_AT = re.compile(r"(有|好多|很多|全是|都是|一股|大|满)烟(?![头囱花草民酒盒灰味])|(看到|看见|冒出|冒出来)[^,，。]{0,2}烟|烟从")
# Not waking: someone asleep on duty ("保安在岗亭里睡觉，喊都喊不醒") is no one collapsed.
_NOT_WAKING_AT = re.compile(r"(叫|喊|推|拍)[^,，。]{0,3}都(不醒|没反应|不应)|(叫|喊|推)不醒")
_ASLEEP = re.compile(r"睡")
_HARMLESS_SMOKE = re.compile(r"抽烟|吸烟|烟瘾|烟头|香烟|烟民|二手烟|油烟|烧烤|炒菜|做饭|熏|腊肉|烧香|蚊香|艾灸|(没|没有|不是)(着火|起火|失火)")
_UNANSWERED_AT = re.compile(_UNANSWERED)
# A swollen battery parked is a hazard to move; charging, hot, smoking or smelling, it is about to catch fire.
_SWOLLEN_AT = re.compile(r"(电池|电瓶)[^,，。]{0,6}鼓包")
_HEATING = re.compile(r"充|烫|发热|很热|好热|冒|味|烟|火|噼|滋")
# "工单怎么被关了": a report closed, no one shut in.
_CLOSED_AT = re.compile(r"被关")
_REPORT_BEFORE = re.compile(r"(单|单子|投诉|报修|诉求|申请|帖子?)[^,，。!！?？]{0,4}$")
# "嘶嘶地往外喷水，总阀在哪": water hissing out of a pipe, no gas named.
_HISS_AT = re.compile(r"嘶嘶|(总阀|阀门|燃气表|气表|表|灶|气管)[^。]{0,12}嘶嘶")
_GAS_NAMED = re.compile(r"煤气|燃气|天然气|液化气|瓦斯|气表|气管|灶|味")
_WATER_OUT = re.compile(r"喷水|冒水|滋水|出水|水管|往外喷|漏水|流水")
# A pit people twist an ankle in is one to fill, not one to fall into.
_TRIPPED = re.compile(r"崴|扭了?(伤|到)?脚|绊")
_PIT = re.compile(r"坑|塌|洞|陷")
_FELL_IN = re.compile(r"(掉|摔|跌|陷|栽)(进|下去|到坑|到洞)")
_HOLE_AT = re.compile(r"(大)?窟窿|大洞")
# What a hole is in when it is in a thing, not in the ground: told in the same clause before it.
_HOLE_IN_A_THING = re.compile(r"桶|箱|袋|盆|墙|门|窗|网|棚|顶|布|衣|裤|鞋|伞|包|篮|管|板|罩|帘|柜|车")
_GROUND = re.compile(r"地|路|井|坑|沟|坡|台阶|楼梯|草坪|绿地")
# The resident says the danger is made safe ("阀门关了", "现在闻不到味了"): the model adds no alarm of its own.
_STILL = re.compile(r"还(是|有|在)|仍|没散|没停")
_MADE_SAFE = re.compile(r"闻不到|没味了|没烟了|不冒了|不冒烟了|(?<!还)(跑|走|逃|自己)出来了|拔(了|掉|下)|取消|撤回|撤销|(阀门|总阀|气阀|阀)[^,，。]{0,3}关(了|上|掉|好)|关(了|掉|上)(阀门|总阀|气阀)|(拉|断)了?(电闸|总闸|闸)|断了电")
# Knocking about a problem of the flat's own ("楼上漏水，敲门没人应") is no welfare check.
_KNOCK_REASON = re.compile(r"漏|渗|滴水|吵|噪音|装修|挪车|堆")
_OFFICE = re.compile(r"物业|客服|保安|网格员|社区|居委会|热线|办公室|管家|师傅|维修|公司")
_AT_RISK = re.compile(r"老人|老太|老大爷|老爷子|老奶奶|奶奶|爷爷|姥姥|姥爷|外婆|外公|婆婆|公公|我妈|我爸|母亲|父亲|老伴|独居|一个人|孤寡|残疾|病人|孩子|小孩")

# "不" only right before the danger ("它不咬人"); "是不是着火了" asks.
_NEGATED_BEFORE = re.compile(r"(?<!是)(没有?|不是|并非|并没有?|无|未|别)[^,，。!！?？]{0,3}$|(?<![是带有通漏冒着])不$")
# A what-if: said before the danger ("万一着火", "怕起火", "哪天把人摔了") or after it ("着火了谁负责", "...就晚了").
_HYPOTHETICAL = re.compile(r"(万一|如果|要是|假如|一旦|防止|以防|容易|可能会|会不会|担心|怕|哪天|迟早|早晚|再不|不然|这要|真|一点|以为|会(?![儿所])|"
                           # a near miss, in the ways it is said: 差点, 差一丁点, 差啲, 差滴滴, 险险, 好险, 好悬
                           r"差点|差一点|差一丁点|差丁点|差啲|差滴|差些|险些|险险|好险|好悬|"
                           r"老是|总是|经常|动不动就?|三天两头|隔三差五|演练|演习|培训|讲座)"
                           r"[^,，。!！?？]{0,8}$")
# A near miss said after the person it almost hit ("我差一点一脚踩空滚下去"): inside the danger's own words.
_NEAR_MISS = re.compile(r"差点|差一点|差一丁点|差丁点|差啲|差滴|差些|险些|险险")
_HYPOTHETICAL_AFTER = re.compile(r"[^,，。!！?？]{0,8}?(谁负责|谁来负责|就晚了|就完了|来不及|跑不出去|的话|往哪跑|怎么(进|跑|救|出)|拿什么|咋(跑|进|救)|演练|演习|不是第一次)")
# "电梯困人那次", "困人的事都过去一个礼拜了": the danger named as a past event.
_PAST_AFTER = re.compile(r"[^,，。!！?？]{0,3}?(那次|那回|那天|那件|的事|过去|过一次|过一回|过两次)")
_HAZARD = re.compile(r"隐患")
# "着火了咋整" at the head of its clause, after what could catch: a fear. With its place ("我家着火了怎么办") it is a fire.
_WHAT_THEN = re.compile(r"[^,，。!！?？]{0,4}?(咋整|咋办|怎么办|怎么整|咋弄|咋搞|怎么搞|可咋|那还得了)")
# A crack or a droop over where people usually are ("底下天天有小孩玩") is a hazard to mend, unless it is coming down.
_HABITUAL = re.compile(r"天天|每天|平时|平常|经常|常常|常有|老有|总有|成天|一天到晚")
_IMMINENT = re.compile(r"要掉|快掉|要倒|快倒|摇摇欲坠|随时|晃|往下|马上|正在|还在|现在|刚才|快来")
_DANGLING_AT = re.compile(_DANGLING)
# A wall or a fence that fell is a gap to mend, not a hole to fall into (a person under it is told in words of its own).
_COLLAPSE_AT = re.compile(r"塌陷|坍塌|塌了|塌下来")
_WALL = re.compile(r"墙|围栏|栅栏|篱笆|护栏|栏杆|棚|亭|架子")
# ...unless someone is under it ("车棚塌了，里面还有人") or the rest still hangs ("塌下来一半，还吊着晃").
_PEOPLE_UNDER = re.compile(r"(里面|里头|底下|下面)[^,，。!！?？没无]{0,4}(人|小孩|孩子|老人)|压(到|着|住)了?(人|小孩|孩子|老人)|砸(到|中|伤)")
# Lying on the ground said of a thing ("铁栏杆也倒在地上好几天了"), not of a person.
_FLOORED_AT = re.compile(r"(倒|躺)在?地上")
_THING_BEFORE = re.compile(r"(栏杆|杆|柱子?|牌子?|板|架子?|树|树枝|柜子?|箱|桶|门|棚|椅子?|凳子?|车|灯|墙|砖|石头?|网|伞|花盆)[^,，。!！?？]{0,2}$")
_CLAUSE = re.compile(r"[,，。!！?？;；\s]")
# An alarm that beeped once and stopped, asked about ("响了一下又不响了，要不要紧"): a question, not a leak or a fire.
# "救命 楼上又砸墙了": a cry of exasperation at a nuisance, not for help; another danger named is its own hit.
_NUISANCE = re.compile(r"砸墙|电钻|钻|装修|吵|噪音|钢琴|弹琴|练琴|唱歌|音响|广场舞|跳舞|狗叫|叫了一|叫一|一闪一闪|忽明忽暗|闪来闪去|闪个不停|"
                       r"臭|垃圾|挪车|车位|车被[^,，。!！?？]{0,4}(堵|挡)|(堵|挡)(死|住)在?[^,，。!！?？]{0,2}(里面|外面|门口)?[^,，。!！?？]{0,3}车|蚊子|蟑螂|老鼠|滴答|接了.{0,2}盆|疯了|崩溃|心态崩|受不了|烦死|恐怖片|睡不着|抓狂|服了")
_ALARM_AT = re.compile(r"[^,，。!！?？]{0,8}(报警|烟感)")
_BEEPED_ONCE = re.compile(r"(一下|一声|两声)[^,，。!！?？]{0,4}(停|不响|不叫|没动静|没声|没响)")
_ASKS_WHAT = re.compile(r"要不要紧|要紧吗|正常吗|正不正常|什么意思|啥意思|怎么回事|咋回事|怎么判断|是不是坏|要不要换|需不需要")

# What a message says about time, read in order: the first alternative that matches at a place wins, so
# "现在好了" is an ending before it is a "now", and "还没出来" a danger going on before it is a fix not made.
_TIMELINE = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in [
    # the danger is over: "已经救出来了", "现在好了", "火灭了"; never "还没修好", "没出来"
    ("over", r"(?<![没未不])(?:(救|拉|扒|抬|接|弄|人|都|已经|已|后来|就|刚|终于|才)出来了?|好在没(大)?事|没什么大?事|(已经|已|早就?)(修好|处理|解决|扑灭|灭了|补上|补好|盖上|盖好|换|好了|没事|走了)"
             r"|(现在|目前|已经|早就?|终于|总算|都)(好了|没事|正常|恢复)|(现在|目前|已经)(基本)?(没|没有)(味|事|烟)|闻不到了?|一切正常|虚惊一场|原来是|没事了|火(已经|已)?(扑)?灭了|扑灭了?"
             r"|(修|弄|处理|换|补|盖)好了|解决了|补上了|盖上了|不用来了|误会了|(?<!是不是)(?<!是不是我)(?<!会不会)(?<!会不会是)(搞|弄|闻|看|报)错了|别来了"
             # out by oneself, pulled out, the smoke stopped, unplugged, called off (round 8)
             r"|(跑|走|逃|爬|自己)出来了|(救|拉|捞|抱)(上来|起来)了|没烟了|不冒了|不冒烟了|(拔|拔掉|拔下)了?(插头|电源|插座)?(?![不出])(?![^,，。!！?？]{0,3}(还|仍|也))|取消|撤回|撤销|撤单"
             # the fire brigade or the ambulance has come and gone: "消防来过了"
             r"|(消防|消防车|消防队|消防员|救护车|119|120)[^,，。!！?？]{0,3}(来过了?|走了)"
             # a false alarm, a smell gone: "报警两次均为误报", "煤气味没了"
             r"|(均为|都为|都是|确认是?|原来是|结果是|查了是)误报|味儿?(已经)?(没了|散了))"),
    # the danger goes on: brings a past one back to now
    ("still", r"还在|还有|还是有|也有|都有|又有|又闻到|一直闻|还闻|散不掉|散不去|散不了|又开始|仍然|仍在|仍有|一直在|一直有|越来越|更(重|浓|大|多|厉害|严重)|还没出来|还困|还[^,，。!！?？\s]{1,2}着|还(搭|压|挂|靠|横|躺|泡|淹)在"),
    # nothing has been done: a lasting danger from the past is still there
    ("open", r"(还|也|都|一直)?(没|没有|未)(人)?(来)?(修|补|填|盖|封|换|处理|解决|管|弄)|赶紧|尽快|马上|快来"),
    # "昨天", "上周", "着过": the past; "昨天开始" and "昨天到现在" last until now
    ("past", r"(昨天|昨晚|昨日|昨儿|前天|前晚|上周|上个?星期|上个?礼拜|上个?月|上回|上次|去年|前年|前几天|前些天|前阵子|前段时间|那天|那次|之前|以前|曾经)"
             r"(?!(晚上|早上|夜里|半夜|下午|中午)?(开始|起|以来|到现在|到今天|一直|就一直|就开始))|[着困漏冒]过(?![来去])|过一次"),
    ("now", r"现在|目前|此刻|今天|今早|今晚|今儿|刚才|刚刚|这会儿?|正在|眼下"),
    ("again", r"又|再次|再一次"),
    ("sentence", r"[。!！?？]"),
    ("clause", r"[,，;；\s]"),
]))


class Emergency(NamedTuple):
    """One danger a message reports as happening now: the category it leans to and the kind of danger."""

    category: str
    danger: str
    at: int = 0  # where in the message it is told


def is_urgent(text):
    """True when a normalised message describes someone at risk now."""
    return bool(emergencies(text))


def emergencies(text):
    """The emergencies a normalised message reports as happening now (empty when none)."""
    return scan(text)[0]


def scan(text):
    """(the emergencies happening now, why other danger words were set aside): the reasons are "negated",
    "hypothetical", "context", "past" and "over" (made safe), which the learned models read as features."""
    hits, dropped, at = [], set(), 0
    while (m := _TRIGGER.search(text, at)) is not None:
        # A hit set aside must not hide one that starts inside it ("楼上漏水...滑倒了，腰动不了").
        at = m.start() + 1
        if _negated(text, m):
            dropped.add("negated")
        elif _hypothetical(text, m):
            dropped.add("hypothetical")
        elif not _fits_context(text, m):
            dropped.add("context")
        elif _PAST_AFTER.match(text, m.end()):
            dropped.add("past")
        else:
            hits.append(m)
            at = m.end()
    if not hits:
        found = [Emergency("safety", "fire", 0)] if "火" in text and _FIRE_ONLY.fullmatch(text) else []
        if not found and (safe := _MADE_SAFE.search(text)) and not _STILL.search(text, safe.end()):
            dropped.add("over")
        if not found and _PIT.search(text) and _TRIPPED.search(text) and not _FELL_IN.search(text):
            dropped.add("context")  # a pit people twist an ankle in: the model adds no alarm of its own
        return found, dropped
    found = [Emergency(_kind(m, danger), danger, m.start()) for m, danger in _current(text, hits)]
    if len(found) < len(hits):
        dropped.add("past")
    return found, dropped


def _kind(hit, danger):
    """The category a hit leans to; a person down or not answering ("倒在楼梯上") is no lift and no fire: other."""
    if danger == "medical":
        return "other"
    return next((kind for kind, pattern in KIND if pattern.search(hit.group(0))), "safety")


def danger_of(found):
    """The most pressing kind of danger among a message's emergencies, or None."""
    return min((e.danger for e in found), key=DANGERS.index, default=None)


def _current(text, hits):
    """The hits still happening now, reading the message's clauses in order (CATEGORIES.md: the past is not urgent)."""
    events = sorted([(m.start(), 1, m) for m in hits] + [(m.start(), 0, m) for m in _TIMELINE.finditer(text)],
                    key=lambda e: e[:2])
    # A past said inside a hit that does not last ("门很猛 上次夹到她手了") is that hit's past.
    inner_past = {m.start() for m in hits for _, t, e in events if not t and e.lastgroup == "past"
                  and m.start() < e.start() < m.end() and _danger(text, m) not in LASTING}
    past = past_in_clause = False
    pending = []  # [hit, its danger, happening now, over]
    for _, is_hit, m in events:
        if is_hit:
            pending.append([m, _danger(text, m), not past and m.start() not in inner_past, False])
            continue
        what = m.lastgroup
        if what == "past":
            past = past_in_clause = True
        elif what in ("now", "sentence") or (what == "again" and not past_in_clause):
            past = False  # "昨天困人了，今天又困住了": the second is now; "昨天又困人了" stays in the past
        elif what == "still":
            # "还有", "越来越浓": it goes on; a lasting danger even when said to be handled ("处理了，但还有味").
            past = False
            for p in pending:
                p[2], p[3] = True, p[3] and p[1] not in LASTING
        elif what == "open":
            past = False
            for p in pending:
                p[2] = p[2] or p[1] in LASTING
        elif what == "over":
            # What ends is the danger just told ("冒烟了，电梯困人了，人已经出来了": the smoke is still there);
            # coming out ends only someone shut in ("塌了个坑，孩子们一会儿就出来了" is children about to walk by).
            out = "出来" in m.group(0)
            told = next((p[1] for p in reversed(pending) if not p[3] and (not out or p[1] == "trapped")), None)
            for p in pending:
                p[3] = p[3] or p[1] == told
            past = False
        if what in ("clause", "sentence"):
            past_in_clause = False
    return [(m, danger) for m, danger, now, over in pending if now and not over]


def _danger(text, hit):
    """The kind of danger of one hit: the first trigger that matches where it starts, as in _TRIGGER."""
    if not _EACH:
        _EACH.extend((danger, re.compile(t)) for danger, t in TRIGGERS)
    return next((danger for danger, pattern in _EACH if pattern.match(text, hit.start())), "medical")


def _clause_before(text, match):
    start = match.start()
    cut = max((m.end() for m in _CLAUSE.finditer(text, 0, start)), default=0)
    return text[cut:start]


def _fits_context(text, match):
    """False for a smell of smoke the message explains, or a door nobody opens with no one at risk behind it."""
    if _SMOKE_SMELL_AT.match(text, match.start()) or _SMOKE_SEEN_AT.match(text, match.start()):
        return not _HARMLESS_SMOKE.search(text)
    if _INSIDE_AT.match(text, match.start()):  # someone in a lift that holds them, not one smoking in it
        return bool(_LIFT.search(text) and (_STUCK_NOW.search(text) or _SHUT_IN.search(text)))
    if _STUCK_IN_AT.match(text, match.start()):  # stuck inside a lift that holds them, not a key in a lock
        # 困 or 关 says a person ("还困在里面"); 卡 or 在 needs the lift that holds them.
        return text[match.start()] in "困关" or bool(_LIFT.search(text) and _STUCK_NOW.search(text))
    if (_COLLAPSE_AT.match(text, match.start()) or _HOLE_AT.match(text, match.start())) and _TRIPPED.search(text):
        return bool(_FELL_IN.search(text))
    if _HOLE_AT.match(text, match.start()):
        before = _clause_before(text, match)
        return not _HOLE_IN_A_THING.search(before) or bool(_GROUND.search(before))
    if (hung := _DANGLING_AT.match(text, match.start())) and _HABITUAL.search(hung.group(0)):
        return bool(_IMMINENT.search(text))
    if _COLLAPSE_AT.match(text, match.start()):
        before = _clause_before(text, match)
        return not _WALL.search(before) or bool(_GROUND.search(before) or _PEOPLE_UNDER.search(text) or _IMMINENT.search(text, match.end()))
    if _FLOORED_AT.match(text, match.start()):
        before = _clause_before(text, match)
        if _THING_BEFORE.search(before) and not re.search(_PERSON, before):
            return False
    if text.startswith(("救命", "救救"), match.start()) and _NUISANCE.search(text):
        return False
    if _ALARM_AT.match(text, match.start()) and _BEEPED_ONCE.search(text) and _ASKS_WHAT.search(text):
        return False
    if _SWOLLEN_AT.match(text, match.start()):
        return bool(_HEATING.search(text, match.end()) or _HEATING.search(_clause_before(text, match)))
    if _CLOSED_AT.match(text, match.start()):
        return not _REPORT_BEFORE.search(_clause_before(text, match)) and not text.startswith(("闭", "掉"), match.end())
    if text.startswith("嘶嘶", match.start()) or (_HISS_AT.match(text, match.start()) and "嘶嘶" in match.group(0)):
        return bool(_GAS_NAMED.search(text)) or not _WATER_OUT.search(text)
    if _NOT_WAKING_AT.match(text, match.start()):
        return not _ASLEEP.search(text)
    if _UNANSWERED_AT.match(text, match.start()):
        return bool(_AT_RISK.search(text)) and not _OFFICE.search(text) and not _KNOCK_REASON.search(text)
    return True


def _negated(text, match):
    return bool(_NEGATED_BEFORE.search(_clause_before(text, match)))


def _hypothetical(text, match):
    """A danger stated as a what-if ("着火了谁负责", "万一着火", "怕起火") is a hazard, not an emergency."""
    cut = max((m.end() for m in _CLAUSE.finditer(text, 0, match.start())), default=0)
    end = _CLAUSE.search(text, match.end())
    stop = end.start() if end else len(text)
    return bool(_HAZARD.search(text, cut, stop) or _HYPOTHETICAL.search(text[cut:match.start()])
                or _NEAR_MISS.search(match.group(0))
                or _HYPOTHETICAL_AFTER.match(text, match.end(), stop)
                or (cut == match.start() and _WHAT_THEN.match(text, match.end(), stop)))
