"""Every rule the ledger knows, keyed by its stable rule id.

Pure data: one ``Rule`` per id of ``/work/shared/TERMS.md``, with the article
it rests on (in Japanese and English), a one-sentence title in both languages,
and the original Japanese clause quoted from the seed texts
(``seeds/004_…`` = 家サポ利用規約, ``seeds/000_…`` = 在宅確認サポート).

Id -> article convention (TERMS.md): ``IE-a.p.i`` = 第a条第p項第i号 =
Art. a(p)(i); ``IE-Ak-a.p`` = 別紙k 第a条第p項 = Appendix k Art. a(p);
a suffix (``.cap``, ``.tax``, ``.first``, ``.dates``, ``.void``) marks our
reading of the base article and carries the base article's reference.
Art. 18 is one paragraph of three sentences: ``IE-18.1`` covers the first two
(application one month ahead; the company's approval), ``IE-18.2`` the third
(fee still owed, no service).

Kinds: ``must`` (hard invariant), ``may`` (a ground staff may act on; its
``ground`` is ``detected`` when the ledger can see it in its own facts, else
``judged``), ``calc`` (a date or amount the ledger computes, or a descriptive
rule it applies). Group ids (``IE-14.3``, ``IE-17.2``) are ``may``/``judged``
so that a command citing only the group must carry a reason.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str  # "must" | "may" | "calc"
    ground: str | None  # "detected" | "judged" for kind "may"; else None
    article_ja: str
    article_en: str
    title_en: str
    title_ja: str
    text_ja: str


_IE_8_8 = "次の各号のいずれかに該当する場合、運営会社は、24時間かけつけサービスの提供をお断りする場合があります。"
_IE_13_1 = "会員が以下のいずれかに該当し、又は該当すると当社において判断する場合、当社は事前に通知することなく、会員の本サービスの利用を一時停止することがあります。"
_IE_14_3 = "以下の各号の定めに該当する場合、当社は、事前に何らの通知又は催告をすることなく、会員資格を取り消すことができるものとします。"
_IE_17_2 = "当社は、次の各号のいずれかに該当する場合は、2次取得者等の会員登録を承諾しないことができるものとします。"
_PC_6 = "在宅確認サポートに関して以下の事項に該当する場合、サービスの提供をお断りする場合があります。"

_ALL: tuple[Rule, ...] = (
    # ------------------------------------------------------------------
    # Ie-Sapo, Art. 1 (eligibility)
    # ------------------------------------------------------------------
    Rule(
        "IE-1.3", "must", None, "第1条第3項", "Art. 1(3)",
        "The property must be a main building of at most three floors, built by the company or a group company and certified by the company (annexes are not covered).",
        "本サービスの対象物件は、当社又はグループ各社が建築・施工した建物のうち、当社が認定した3フロア以内の母屋のみ(附属建物を含まない)とする。",
        "本サービスの対象となる物件は、当社又はグループ各社が建築・施工した建物のうち、当社が認定した3フロア以内の母屋のみ(附属建物は含まれません。)とします(以下、「対象物件」といいます。)。",
    ),
    Rule(
        "IE-1.4", "must", None, "第1条第4項", "Art. 1(4)",
        "A member must be an individual recognised by the company as a primary or secondary acquirer, never a corporation.",
        "本サービスの対象者は、1次取得者又は2次取得者等のいずれかの条件を満たし、当社が認めた個人(法人を除く)とする。",
        "本サービスの対象者は、以下のいずれかの条件を満たし、当社が認めた個人(以下、「対象者」といいます。)とします。",
    ),
    Rule(
        "IE-1.4.1", "must", None, "第1条第4項第1号", "Art. 1(4)(i)",
        "A primary acquirer is an individual who concluded the sale or building contract for the property with the company or a group company, or a relative of that individual.",
        "1次取得者とは、対象物件について当社又はグループ各社と売買契約又は建築請負契約を締結した個人(法人を除く)及びその親族をいう。",
        "対象物件について当社又はグループ各社と売買契約(以下、「売買契約」といいます。)又は建築請負契約を締結した個人(法人を除きます。)及びその親族(以下、この対象者を、「1次取得者」といいます。また、この売買契約又は建築請負契約に基づき対象物件が引き渡された日を、「初回引渡日」といいます。また、この売買契約又は建築請負契約を締結した当社又はグループ各社を、「住宅事業当事会社」といいます。)",
    ),
    Rule(
        "IE-1.4.2", "must", None, "第1条第4項第2号", "Art. 1(4)(ii)",
        "A secondary acquirer is an individual who acquired ownership of the property (inheritance included) from a person who was a member and still owns it, or a relative of that individual.",
        "2次取得者等とは、対象物件の所有権を会員たる第三者から取得(相続による取得を含む)し、現在も所有している個人(法人を除く)及びその親族をいう。",
        "対象物件の所有権を本サービスの本規約2条1項が定める会員たる第三者から取得(相続による取得を含みます。)し、現在も所有している個人(法人を除きます。)及びその親族(以下、この対象者を、「2次取得者等」といいます。また、以下、2次取得者等に対象物件を譲り渡した者を、「前所有者」といいます。)",
    ),
    # ------------------------------------------------------------------
    # Art. 2 (registration)
    # ------------------------------------------------------------------
    Rule(
        "IE-2.1", "must", None, "第2条第1項", "Art. 2(1)",
        "A person becomes a member only when the company accepts the registration procedure (application form and credit-card registration) completed after agreeing to these terms.",
        "会員とは、対象者が本規約に同意したうえ会員登録手続(申込フォームによる申込及び決済用クレジットカードの登録)を行い、当社がこれを承諾して会員登録された者をいう。",
        "「会員」とは、対象者が本規約に同意したうえ以下の会員登録手続を行い、当社がこれを承諾して会員登録された者をいいます。\n"
        "当社が運営するウェブサイト上の所定の申込フォームに必要事項を入力のうえ申込を行うこと。\n"
        "前号の申込後、自動的に送信される決済用URLの記載されたメールを受領し、そのURLにアクセスして決済用のクレジットカードを登録すること。",
    ),
    Rule(
        "IE-2.2", "must", None, "第2条第2項", "Art. 2(2)",
        "An applicant who is a minor or otherwise of limited capacity must have the valid consent of a legal representative.",
        "本サービス利用希望者が未成年者等の制限行為能力者である場合、必ず有効な法定代理人の同意を得なければならない。",
        "本サービス利用希望者が未成年者等の制限行為能力者である場合、必ず有効な法定代理人の同意を得るものとします。",
    ),
    Rule(
        "IE-2.3", "must", None, "第2条第3項", "Art. 2(3)",
        "The registration procedure must be completed by its deadline, which the company may extend.",
        "会員登録手続は期限までに完了しなければならない。ただし、当社はこの期限を延長することができる。",
        "会員登録手続期限は、以下のとおりとします。但し、当社は、これを延長することができるものとします。",
    ),
    Rule(
        "IE-2.3.1", "must", None, "第2条第3項第1号", "Art. 2(3)(i)",
        "A primary acquirer must complete the registration procedure by the initial delivery date (the final settlement date), unless the company extended the deadline.",
        "1次取得者の会員登録手続期限は、初回引渡日(残代金決済日)までとする(当社が延長した場合を除く)。",
        "会員登録手続期限は、以下のとおりとします。但し、当社は、これを延長することができるものとします。\n"
        "1次取得者の場合、初回引渡日(残代金決済日)まで",
    ),
    Rule(
        "IE-2.3.2", "must", None, "第2条第3項第2号", "Art. 2(3)(ii)",
        "A secondary acquirer must complete the registration procedure by the date the company designates, unless the company extended it.",
        "2次取得者等の会員登録手続期限は、当社が指定する日までとする(当社が延長した場合を除く)。",
        "会員登録手続期限は、以下のとおりとします。但し、当社は、これを延長することができるものとします。\n"
        "2次取得者等の場合、当社が指定する日まで",
    ),
    # ------------------------------------------------------------------
    # Art. 3 (validity periods and renewal)
    # ------------------------------------------------------------------
    Rule(
        "IE-3.1", "calc", None, "第3条第1項", "Art. 3(1)",
        "The first validity period starts on the start date fixed by the member's type and the timing of the registration procedure.",
        "1回目の有効期間の始期(利用開始日)は、取得者の区分及び会員登録手続の完了時期に応じて定める。",
        "本サービスの1回目の有効期間の始期(以下、「利用開始日」といいます。)は、以下の各号記載のとおりとします。",
    ),
    Rule(
        "IE-3.1.1", "calc", None, "第3条第1項第1号", "Art. 3(1)(i)",
        "A primary acquirer's start date is the 1st of the month after the initial delivery date, or, if the procedure was completed later under an extended deadline, the 1st of the month after the completion date.",
        "1次取得者の利用開始日は、初回引渡日までに手続を完了した場合は初回引渡日の翌月1日、期限の延長により初回引渡日より後に完了した場合は会員登録手続完了日の翌月1日とする。",
        "1次取得者\n"
        "初回引渡日までに会員登録手続を完了した場合\n"
        "初回引渡日の翌月1日\n"
        "当社が会員登録手続期限を延長し、初回引渡日より後に会員登録手続を完了した場合\n"
        "会員登録手続完了日の翌月1日",
    ),
    Rule(
        "IE-3.1.2", "calc", None, "第3条第1項第2号", "Art. 3(1)(ii)",
        "A secondary acquirer's start date is the 1st of the month after the later of the procedure completion date and the transfer date.",
        "2次取得者等の利用開始日は、会員登録手続完了日又は対象物件の譲渡日のいずれか遅い方の日の翌月1日とする。",
        "2次取得者等\n"
        "会員登録手続完了日又は対象物件の譲渡日のいずれか遅い方の日の翌月1日",
    ),
    Rule(
        "IE-3.2", "calc", None, "第3条第2項", "Art. 3(2)",
        "Each later validity period starts on its renewal date.",
        "2回目以降の有効期間の始期は、更新日とする。",
        "本サービスの2回目以降の有効期間の始期は、更新日とします。",
    ),
    Rule(
        "IE-3.3.1", "calc", None, "第3条第3項第1号", "Art. 3(3)(i)",
        "A primary acquirer's first validity period ends when one year counted from the 1st of the month after the initial delivery date has elapsed.",
        "1次取得者の1回目の有効期間の終期は、初回引渡日の翌月1日から起算して1年間が経過する日とする。",
        "本サービスの1回目の有効期間の終期は、以下の各号記載のとおりとします。\n"
        "1次取得者\n"
        "初回引渡日の翌月1日から起算して1年間が経過する日",
    ),
    Rule(
        "IE-3.3.2", "calc", None, "第3条第3項第2号", "Art. 3(3)(ii)",
        "A secondary acquirer's first validity period ends one year after the previous owner's most recent past renewal date (the 1st of the month after the initial delivery date if the previous owner never renewed).",
        "2次取得者等の1回目の有効期間の終期は、前所有者の経過済の直近の更新日(一度も更新していない場合は初回引渡日の翌月1日)から1年間が経過する日とする。",
        "2次取得者等\n"
        "前所有者の経過済の直近の更新日から1年間が経過する日\n"
        "(なお、前所有者が一度も更新をしていない場合、更新日を初回引渡日の翌月1日に読み替えます。)",
    ),
    Rule(
        "IE-3.4", "calc", None, "第3条第4項", "Art. 3(4)",
        "Each later validity period ends one year after its renewal date.",
        "2回目以降の有効期間の終期は、前回の更新日より1年間が経過する日とする。",
        "本サービスの2回目以降の有効期間の終期は、前回の更新日より1年間が経過する日とします。",
    ),
    Rule(
        "IE-3.5", "must", None, "第3条第5項", "Art. 3(5)",
        "Unless the company receives the member's notice of withdrawal by two months before the expiry, the validity period renews automatically for one year.",
        "有効期間満了の2か月前までに会員から当社所定の方法で退会の通知がなかった場合、有効期間は自動的に1年間更新される。",
        "有効期間満了の2か月前までに会員より、当社所定の方法で退会の通知がなかった場合、有効期間は、自動的に1年間更新されるものとします。",
    ),
    Rule(
        "IE-3.5.cap", "must", None, "第3条第5項", "Art. 3(5)",
        "A membership renews at most 29 times; when the last renewed period ends, the membership has expired.",
        "更新の限度は最大29回とし、29回目の更新による有効期間の満了をもって会員資格は満了する。",
        "なお、更新の限度は、最大29回とします。",
    ),
    # ------------------------------------------------------------------
    # Art. 4 (services)
    # ------------------------------------------------------------------
    Rule(
        "IE-4.1", "calc", None, "第4条第1項", "Art. 4(1)",
        "The service consists of Ie-Sapo inspections, inspection reports and consulting, the 24-hour emergency service, and referral for option and reform estimates.",
        "本サービスの内容は、家サポ点検、点検報告書の作成・交付及びコンサルティング、24時間かけつけサービス、並びにオプション・リフォーム等の見積取得に関する取次とする。",
        "会員は、本サービスを利用できます。本サービスの内容は、以下のとおりです。\n"
        "住宅点検(以下、「家サポ点検」といいます。)。詳細は、本規約6条記載のとおりです。\n"
        "家サポ点検の結果報告書(以下、「点検報告書」といいます。)の作成、交付及び希望者に対するコンサルティング。詳細は、本規約7条記載のとおりです。\n"
        "住まいの緊急トラブル24時間かけつけサービス(以下、「24時間かけつけサービス」といいます。)。詳細は、本規約8条記載のとおりです。\n"
        "オプション、リフォーム等の見積取得に関する取次",
    ),
    Rule(
        "IE-4.2", "must", None, "第4条第2項", "Art. 4(2)",
        "The service is available only in Japan and during the company's business hours, except the 24-hour service.",
        "本サービスは日本国内でのみ利用でき、24時間かけつけサービスを除き当社の営業時間内に提供される。",
        "本サービスは、日本国内でのみ利用可能とします。また、本サービスの提供は、当社の営業時間内に行われるものとします。但し、24時間かけつサービスについては、別紙2「24時間かけつけサービスの内容について」記載の時間とします。",
    ),
    # ------------------------------------------------------------------
    # Art. 5 (annual fee)
    # ------------------------------------------------------------------
    Rule(
        "IE-5.1", "calc", None, "第5条第1項", "Art. 5(1)",
        "The annual fee is the amount in the fee guide on the service site, paid by credit card.",
        "年会費は、本サービスサイト内会費のご案内に記載の金額とし、クレジットカード決済により支払う。",
        "会員は、当社に対し、年会費として、本サービスサイト内会費のご案内に記載の金額を、クレジットカード決済の方法により、支払うものとします。",
    ),
    Rule(
        "IE-5.1.tax", "calc", None, "第5条第1項", "Art. 5(1)",
        "When the consumption-tax rate changes, the amount at the new rate is charged from the day the new rate takes effect.",
        "消費税の税率が改正された場合、改正後の消費税の税率による金額を支払う。",
        "但し、消費税の税率が改正された場合、改正後の消費税の税率による金額を、支払うものとします。",
    ),
    Rule(
        "IE-5.1.first", "calc", None, "第5条第1項", "Art. 5(1)",
        "The first annual fee is charged, and due, on the day the registration is accepted.",
        "初回の年会費は、会員登録が承諾された日に請求し、同日を支払期日とする。",
        "会員は、当社に対し、年会費として、本サービスサイト内会費のご案内に記載の金額を、クレジットカード決済の方法により、支払うものとします。",
    ),
    Rule(
        "IE-5.2", "must", None, "第5条第2項", "Art. 5(2)",
        "Paid annual fees are not refunded, except for unavoidable reasons, when they are refunded less a 1,000-yen handling fee (waived if delivery became impossible under a housing-loan clause or the like).",
        "既に支払われた年会費は返還しない。ただし、やむを得ない事情がある場合は、返還事務手数料1,000円(住宅ローン特約等で引渡しが不可能となった場合はかからない)を差し引いて返還する。",
        "当社は、既に支払われた年会費を、返還しません。但し、やむを得ない事情がある場合は、返還事務手数料として1,000円(住宅ローン特約等で対象物件の引渡しが不可能となった場合、この返還事務手数料は、かかりません。また、この返還事務手数料は、経済状況によって変動します。)を差し引いたうえで、返還します。",
    ),
    Rule(
        "IE-5.3", "calc", None, "第5条第3項", "Art. 5(3)",
        "A revised annual fee applies from the first renewal that comes after two months have passed since the revision was announced.",
        "年会費が改定された場合、年会費改定公表日から2か月を経過した後に到来する更新時から改定後の年会費を支払う。",
        "当社は、年会費を改定することができるものとします。この場合、当社は、会員に対して、ウェブサイトに公表する方法、電子メール、電話又は郵便による方法により、告知します(以下、この日を「年会費改定公表日」といいます。)。年会費改定公表日から2か月を経過した後に到来する更新時から、会員は、改定後の年会費を支払うものとします。",
    ),
    Rule(
        "IE-5.4.2", "calc", None, "第5条第4項第2号", "Art. 5(4)(ii)",
        "Unless the member asks to change or end the registered card, the next year's fee is charged to it on the last day of the current validity period.",
        "登録カードの変更又は終了の申出がない限り、翌年度分の年会費は、前年度の有効期間の末日に登録カードにより支払う。",
        "登録カードの変更又は終了の申出がなされない限り、会員は、当社に対し、翌年度分の年会費を、前年度の有効期間の末日に、登録カードにより支払うこと。",
    ),
    Rule(
        "IE-5.4.3", "must", None, "第5条第4項第3号", "Art. 5(4)(iii)",
        "The member must promptly report a change of the registered card's number, expiry or name, or the card becoming invalid.",
        "登録カードのカード番号、有効期限及び氏名に変更があった場合又は登録カードが無効となった場合、会員は速やかに当社に連絡する。",
        "登録カードのカード番号、有効期限及び氏名に変更があった場合又は登録カードが無効となった場合、会員は、当社に対し、その旨を速やかに連絡すること。",
    ),
    Rule(
        "IE-5.4.4", "must", None, "第5条第4項第4号", "Art. 5(4)(iv)",
        "If the card company suspends the card's use or the member's cardholder status, the member registers another card; fees in arrears are paid directly on the company's invoice, the member bearing the transfer charge.",
        "カード会社により登録カードの利用又は会員資格が停止された場合、別のクレジットカードを登録して年会費を支払う。年会費の滞納が発生した場合は当社の請求に基づき直接当社に支払い、支払手数料は会員の負担とする。",
        "カード会社の規約により登録カードの利用又は会員資格が停止された場合、登録カードとは別のクレジットカードを登録して年会費を支払うこと。(但し、年会費の滞納が発生した場合、当社からの請求に基づき直接当社に支払うものとします。このとき、支払手数料は、会員の負担とします。)",
    ),
    # ------------------------------------------------------------------
    # Art. 6, 7, 9, 12 and Appendix 1 (inspections)
    # ------------------------------------------------------------------
    Rule(
        "IE-6.4.1", "calc", None, "第6条第4項第1号", "Art. 6(4)(i)",
        "The year-5, 15, 25 and 30 inspections are noticed by the inspection company at least three months ahead and carried out on an agreed date with the member present.",
        "5年目、15年目、25年目、30年目の家サポ点検は、点検担当会社が実施時期の3か月前までに通知し、日時を調整のうえ会員立ち会いのもと実施する。",
        "家サポ点検は、初回引渡日を起算日として、次のとおり、実施します。\n"
        "5年目、15年目、25年目、30年目の家サポ点検\n"
        "点検担当会社は、会員に対し、家サポ点検の実施時期の3か月前までに、当社指定の方法(ハガキ等)により、家サポ点検の実施について、通知します。点検担当会社及び会員は、実施日時を調整のうえ、決定するものとします。点検担当会社は、この決定された日時に、会員立ち会いのもと、家サポ点検を実施します。会員の事情により、この決定された日時に家サポ点検を受けられなくなった場合、会員は、事前に、点検担当会社に対し、連絡するものとします。",
    ),
    Rule(
        "IE-6.4.2", "calc", None, "第6条第4項第2号", "Art. 6(4)(ii)",
        "The year-10 and 20 inspections are noticed by the housing business party at least three months ahead and carried out by it and the inspection company with the member present.",
        "10年目、20年目の家サポ点検は、住宅事業当事会社が実施時期の3か月前までに通知し、住宅事業当事会社及び点検担当会社が会員立ち会いのもと実施する。",
        "家サポ点検は、初回引渡日を起算日として、次のとおり、実施します。\n"
        "10年目、20年目の家サポ点検\n"
        "住宅事業当事会社は、会員に対し、家サポ点検の実施時期の3か月前までに、当社指定の方法(ハガキ等)により、家サポ点検の実施について、通知します。住宅事業当事会社及び会員は、実施日時を調整のうえ、決定するものとします。住宅事業当事会社及び点検担当会社は、この決定された日時(住宅事業当事会社と点検担当会社の点検は、別の日時になることがあります。)に、会員立ち会いのもと、家サポ点検を実施します。会員の事情により、この決定された日時に家サポ点検を受けられなくなった場合、会員は、事前に、住宅事業当事会社に対し、連絡するものとします。",
    ),
    Rule(
        "IE-6.5", "must", None, "第6条第5項", "Art. 6(5)",
        "A member who receives no inspection notice must promptly contact the housing business party.",
        "家サポ点検の実施についての通知が届かない場合、会員は住宅事業当事会社に速やかに連絡する。",
        "家サポ点検の実施についての通知が届かない場合、会員は、住宅事業当事会社に対し、速やかに連絡するものとします。",
    ),
    Rule(
        "IE-6.6", "calc", None, "第6条第6項", "Art. 6(6)",
        "If the member withdraws or cannot be reached while the inspection date is being arranged, no further Ie-Sapo inspection is owed.",
        "家サポ点検の実施日程の調整中に会員が退会し、又は会員と連絡が取れなくなった場合、それ以降の家サポ点検の実施義務を負わない。",
        "家サポ点検の実施日程の調整中に会員が退会し、又は会員と連絡が取れなくなった場合、当社、住宅事業当事会社及び点検担当会社は、会員に対し、それ以降の家サポ点検の実施の義務を、負いません。",
    ),
    Rule(
        "IE-6.7", "calc", None, "第6条第7項", "Art. 6(7)",
        "Ie-Sapo inspections are free; an inspection beyond the defined items and content is charged separately.",
        "家サポ点検の費用は無料とし、定められた項目や内容等を超える点検は別途有料とする。",
        "家サポ点検の費用は、無料です。但し、会員が当社、住宅事業当事会社又は点検担当会社が定める家サポ点検の項目や内容等を超える点検を希望する場合、別途有料となります。",
    ),
    Rule(
        "IE-6.dates", "calc", None, "第6条", "Art. 6",
        "The year-N inspection falls within the N-th year counted from the initial delivery date, and its notice is due by the last day of the month three months before the designated month.",
        "N年目の家サポ点検は初回引渡日を起算日とするN年目の期間内に実施し、その通知は点検指定月の3か月前の月の末日までに行う。",
        "家サポ点検は、初回引渡日を起算日として、次のとおり、実施します。\n"
        "点検担当会社は、会員に対し、家サポ点検の実施時期の3か月前までに、当社指定の方法(ハガキ等)により、家サポ点検の実施について、通知します。",
    ),
    Rule(
        "IE-7", "calc", None, "第7条", "Art. 7",
        "After each inspection a report is issued; where repair is needed the member is told and, on request, an estimate is made and presented.",
        "家サポ点検に基づく点検報告書を交付し、修理・補修が必要な場合は会員に報告し、会員が希望すれば速やかに見積を行い提示する。",
        "当社は、会員に対し、家サポ点検に基づく点検報告書を交付します。\n"
        "家サポ点検の結果、対象物件及びその附属設備等について修理・補修が必要と認めた場合、当社は、会員にその旨を報告するとともに、修理・補修にかかる見積作成の希望及び会員の要望をヒアリングします。\n"
        "会員が前項の見積作成を希望した場合、当社は、速やかに会員の要望に基づいた見積を行い、その結果を会員に提示、提案します。",
    ),
    Rule(
        "IE-9.1", "must", None, "第9条第1項", "Art. 9(1)",
        "Inspection reports are kept for ten years counted from their creation, but only until the member withdraws.",
        "点検報告書は、作成したときから起算して10年間保存する。ただし、会員が退会した場合は、会員の退会までとする。",
        "当社及び点検担当会社は、点検報告書を、作成したときから起算して、10年間保存します。但し、会員が退会した場合、会員の退会までとします。",
    ),
    Rule(
        "IE-12.3", "may", "judged", "第12条第3項", "Art. 12(3)",
        "The member must declare hazards or places to avoid before an inspection; the company is not liable for undeclared ones.",
        "会員は、家サポ点検の実施前に注意すべき事項又は実施を避ける箇所等を必ず申告し、申告がない事項に関する事故・トラブルについて当社及びグループ各社は責任を負わない。",
        "会員は、家サポ点検の実施前に、注意すべき事項又は実施を避ける箇所等がある場合、必ず当社に申告するものとします。申告がされていない事項に関する事故・トラブルについては、当社及びグループ各社は、責任を負わないものとします。",
    ),
    Rule(
        "IE-12.4", "may", "detected", "第12条第4項", "Art. 12(4)",
        "If the member does not keep the house inspectable, the inspection may be refused in part or whole, with no further obligation.",
        "会員の協力が得られず点検不可能と判断した場合、点検の一部又は全体をお断りすることがあり、追加の家サポ点検を含め何らの責任も負わない。",
        "会員は、家サポ点検時は点検可能な状態を保つよう協力するものとします。本条に定める会員の協力が得られず、当社又は点検担当会社によって点検不可能と判断した場合、当社又は点検担当会社は、対象物件の別紙1「家サポ点検の内容について」の一部又は全体についての点検をお断りすることがあります。この場合、当社及び点検担当会社は、追加の家サポ点検の実施を含め、何らの責任も負いません。",
    ),
    Rule(
        "IE-A1.4", "calc", None, "別紙1 第4条", "Appendix 1 Art. 4",
        "The Ie-Sapo inspection includes the ordinary after-service inspection; a member who withdrew before an Ie-Sapo inspection receives only the ordinary inspection for the years since delivery.",
        "家サポ点検は通常点検の内容を含み、会員が家サポ点検実施前に退会した場合は、初回引渡日からの年数に対応した通常点検のみ受けられる。",
        "家サポ点検は、通常点検の点検内容を含んでいます。そのため、家サポ会員に対して、重ねて通常点検を実施することはありません。なお、会員が家サポ点検実施前に退会した場合は、初回引渡日からの年数に対応した通常点検のみ受けられます。",
    ),
    # ------------------------------------------------------------------
    # Art. 8 and Appendix 2 (24-hour emergency service)
    # ------------------------------------------------------------------
    Rule(
        "IE-8.1", "calc", None, "第8条第1項", "Art. 8(1)",
        "The 24-hour service consists of phone support and a first response (emergency fix), provided through the operating company.",
        "24時間かけつけサービスは、電話サポート及び一次対応(応急処置)を内容とし、運営会社への業務委託により提供する。",
        "24時間かけつけサービスは、電話サポート及び一次対応(応急処置)を内容とします。電話サポート及び一次対応(応急処置)の対象は、別紙2「24時間かけつけサービスの内容について」記載のとおりです。\n"
        "当社は、会員に対し、24時間かけつけサービスを、株式会社ラストワンマイル(以下、「運営会社」といいます。)に業務委託する方法で提供します。\n"
        "会員は、オペレーターの提案に従い、トラブルを、主体的に解決するように試みます。このオペレーターの提案に従ってトラブルを解決できない場合又はオペレーターが一次対応(応急処置)に引き継いだ方がよいと判断した場合、オペレーターは、会員から連絡のあったトラブルを、一次対応(応急処置)に引き継ぎます。",
    ),
    Rule(
        "IE-8.8.1", "may", "detected", "第8条第8項第1号", "Art. 8(8)(i)",
        "The operating company may refuse the service when the requester is not the member or a relative of the member.",
        "依頼者が会員又はその親族でない場合、運営会社は24時間かけつけサービスの提供を断ることがある。",
        _IE_8_8 + "\n依頼者が会員又はその親族ではない場合",
    ),
    Rule(
        "IE-8.8.2", "may", "detected", "第8条第8項第2号", "Art. 8(8)(ii)",
        "The operating company may refuse a request concerning a property other than the member's property (shops and offices included).",
        "対象物件以外の物件(店舗・会社事務所等を含む)に関する依頼の場合、運営会社は提供を断ることがある。",
        _IE_8_8 + "\n対象物件以外の物件(店舗・会社事務所等を含みます。)に関する依頼の場合",
    ),
    Rule(
        "IE-8.8.3", "may", "detected", "第8条第8項第3号", "Art. 8(8)(iii)",
        "The operating company may refuse when identity documents do not show that the requester is the member or a relative.",
        "本人確認書類から会員又はその親族であることが確認できない場合、運営会社は提供を断ることがある。",
        _IE_8_8 + "\n本人確認書類から会員又はその親族であることが確認できない場合",
    ),
    Rule(
        "IE-8.8.4", "may", "detected", "第8条第8項第4号", "Art. 8(8)(iv)",
        "The operating company may refuse when the requester does not show the required identity documents or does not attend the work.",
        "当社が求める本人確認書類の提示及びトラブル対応への立ち会いがない場合、運営会社は提供を断ることがある。",
        _IE_8_8 + "\n当社が求める本人確認書類の提示及びトラブル対応に立ち会いいただけない場合",
    ),
    Rule(
        "IE-8.8.5", "may", "detected", "第8条第8項第5号", "Art. 8(8)(v)",
        "The operating company may refuse when the trouble is caused by a natural disaster, riot or incident.",
        "トラブルの内容が自然災害、暴動、事件等に起因する場合、運営会社は提供を断ることがある。",
        _IE_8_8 + "\nトラブルの内容が自然災害、暴動、事件等に起因する場合",
    ),
    Rule(
        "IE-8.8.6", "may", "detected", "第8条第8項第6号", "Art. 8(8)(vi)",
        "The operating company may refuse when the trouble is judged to be a structural defect of the building or a fault of installed housing equipment.",
        "トラブルの内容が建物の構造又は住宅設備機器の不具合と判断する場合、運営会社は提供を断ることがある。",
        _IE_8_8 + "\nトラブルの内容が建物の構造又は住宅設備機器の不具合と判断する場合",
    ),
    Rule(
        "IE-8.8.7", "may", "detected", "第8条第8項第7号", "Art. 8(8)(vii)",
        "The operating company may refuse trouble about harassment or noise from neighbours.",
        "近隣・隣人からの嫌がらせ、騒音等に関するトラブルの場合、運営会社は提供を断ることがある。",
        _IE_8_8 + "\n近隣・隣人の方からの嫌がらせ、騒音等に関するトラブルの場合",
    ),
    Rule(
        "IE-8.8.8", "may", "detected", "第8条第8項第8号", "Art. 8(8)(viii)",
        "The operating company may refuse when it judges that the manufacturer must handle the equipment.",
        "機器等のメーカー対応が必要と運営会社が判断した場合、運営会社は提供を断ることがある。",
        _IE_8_8 + "\n機器等のメーカー対応が必要と運営会社が判断した場合",
    ),
    Rule(
        "IE-8.8.9", "may", "detected", "第8条第8項第9号", "Art. 8(8)(ix)",
        "The operating company may refuse when special structures or parts are involved, or the work is long or needs special work.",
        "特殊な構造・部品を使用する場合、作業に長時間を要する場合又は特殊作業が必要となる場合、運営会社は提供を断ることがある。",
        _IE_8_8 + "\n特殊な構造・部品を使用する場合並びに作業に長時間要する場合又は特殊作業が必要となる場合",
    ),
    Rule(
        "IE-8.8.10", "may", "judged", "第8条第8項第10号", "Art. 8(8)(x)",
        "The operating company may refuse when it otherwise judges the 24-hour service hard to provide.",
        "その他運営会社が24時間かけつけサービスの提供が困難であると判断した場合、運営会社は提供を断ることがある。",
        _IE_8_8 + "\nその他運営会社が24時間かけつけサービスを提供することが困難であると判断した場合",
    ),
    Rule(
        "IE-A2-1.1", "calc", None, "別紙2 第1条第1項", "Appendix 2 Art. 1(1)",
        "Phone support covers water, front-door key, glass and electricity/gas trouble; a first response covers only water, key and glass trouble.",
        "電話サポートは水まわり、玄関の鍵、ガラス、電気・ガスのトラブルを対象とし、一次対応(応急処置)は水まわり、玄関の鍵、ガラスのトラブルのみを対象とする。",
        "24時間かけつけサービスの内容は、24時間電話サポート及び一次対応(応急処置)です。電話サポートは、以下の1号から4号までを対象とし、一次対応(応急処置)は、以下の1号から3号までを対象とします。但し、次項記載の作業を除きます。\n"
        "水まわりのトラブル(浴室・台所・洗面所・トイレの水漏れ又は詰まりに対して専用工具で対応します。排水栓部分の故障・不具合等に対する対応は、含まれません。)\n"
        "玄関の鍵トラブル(鍵穴の詰まり、ドアガードの施錠不良に対しシリンダー分解洗浄で対応します。電子鍵や特殊な鍵、会員都合で仕様を変更した鍵への対応は、含まれません。鍵の紛失については、3項記載のとおりです。)\n"
        "ガラスのトラブル(ガラスのヒビ、割れ、破損に対し被害が広がらないようにするために養生作業等で対応します。ガラスの修理、交換対応は、含まれません。)\n"
        "電気・ガスのトラブル(対象物件に引渡時から埋め込まれ、備え付けられた電気器具の不具合についてオペレーターが電話で相談する方法により対応します。室内の電灯、エアコン、換気扇、給湯器その他造り付け器具及び会員所有の家電製品等についての相談は、含まれません。また、24時間サポートの対象となるトラブルでも、内容によっては電気会社・ガス会社に対応を依頼する場合があります。)",
    ),
    Rule(
        "IE-A2-1.2", "must", None, "別紙2 第1条第2項", "Appendix 2 Art. 1(2)",
        "Part replacement and special work (over 60 minutes, special tools, under floors or inside walls) are not part of a first response.",
        "部品交換及び特殊な作業(60分を超える作業、特殊工具が必要な作業、床下・壁中の作業等)は、一次対応(応急処置)の対象外とする。",
        "部品交換及び特殊な作業(60分を超える作業、特殊工具が必要な作業、床下・壁中の作業等)は、一次対応(応急処置)の対象外です。",
    ),
    Rule(
        "IE-A2-1.3", "calc", None, "別紙2 第1条第3項", "Appendix 2 Art. 1(3)",
        "For a lost key the member chooses destructive unlocking or a hotel (up to 10,000 yen incl. tax paid); hotel only when the operating company judges unlocking impossible, e.g. a special key, at night (21:00-09:00) or large damage.",
        "鍵の紛失時は、会員の希望に応じて破壊開錠又は宿泊施設の案内(宿泊費用は上限1万円税込まで負担)で対応する。ただし、鍵が特殊な場合、夜間(午後9時~午前9時)で騒音が大きいと予想される場合、物件への損害が大きい場合等、運営会社が破壊開錠を行えないと判断した場合は宿泊施設の案内とする。",
        "会員が鍵を紛失した場合、会員の希望に応じて、破壊して開錠する方法又は会員に宿泊施設を案内等(宿泊費用は上限1万円税込まで負担します。)する方法で、対応します。但し、鍵の開錠につき、破壊開錠を行えないと運営会社が判断した場合(鍵が特殊である場合、夜間(午後9時~午前9時)のため破壊による騒音が大きいと予想される場合、破壊による物件への損害が大きい場合等を含みます。)は、破錠は行わず、宿泊施設の案内の対応とします。",
    ),
    Rule(
        "IE-A2-2.1", "calc", None, "別紙2 第2条第1項", "Appendix 2 Art. 2(1)",
        "Staff are sent promptly; a trouble judged low-urgency may be handled the next day or later.",
        "運営会社は専門スタッフを速やかに派遣する。ただし、緊急性が低いと判断されたトラブルは翌日以降の対応となる場合がある。",
        "運営会社は、専門スタッフを、速やかに対象物件に派遣します。但し、運営会社により緊急性が低いトラブルと判断された場合、翌日以降の対応になる場合があります。",
    ),
    Rule(
        "IE-A2-2.2", "calc", None, "別紙2 第2条第2項", "Appendix 2 Art. 2(2)",
        "During a local disaster, a suspension of public transport or a traffic jam staff may not arrive at the requested time, and staff may not be sent at all because of the request, the area or a natural disaster.",
        "局地的な災害、公共交通機関の運休又は道路渋滞が発生している場合は希望時間に派遣できないことがあり、相談内容、エリア、天災等により派遣できない場合がある。",
        "以下の各号に該当する場合、運営会社は、会員が希望する時間に、専門スタッフを派遣できないことがあります。\n"
        "局地的な災害が発生している場合\n"
        "公共交通機関の運休、道路渋滞が発生している場合\n"
        "運営会社は、ご相談の内容、エリア、天災等により、専門スタッフを派遣できない場合があります。",
    ),
    Rule(
        "IE-A2-3", "calc", None, "別紙2 第3条", "Appendix 2 Art. 3",
        "The 24-hour service is free within its scope; beyond it an estimate is given first; trouble caused intentionally is charged at the normal price.",
        "24時間かけつけサービスは範囲内で無料とし、範囲を超える場合は有料となる金額の概算を伝え、会員が故意に起こしたトラブルには通常料金を請求する。",
        "会員は、別紙2第1条の24時間かけつけサービスを無料で利用することができます。この範囲は、以下の利用料金表中の会員の列記載のとおりです。\n"
        "24時間かけつけサービスで提供できる範囲を超える場合(有料となる場合)、オペレーター又は専門スタッフは、会員に対し、有料となる金額の概算を、お伝えします。但し、実際の現場状況、作業時間等によっては、利用料金がお伝えした概算金額を上回る場合があります。\n"
        "会員が故意により起こしたトラブルであると当社が判断した場合、当社は、会員に対し、会員料金表記載の通常料金を請求します。",
    ),
    Rule(
        "IE-17.3.1", "must", None, "第17条第3項第1号", "Art. 17(3)(i)",
        "A secondary acquirer cannot use the 24-hour service before their start date.",
        "2次取得者等は、利用開始日より前に24時間かけつけサービスを利用することができない。",
        "本サービス利用開始日より前に24時間かけつけサービスを利用することができないこと。",
    ),
    Rule(
        "IE-18", "must", None, "第18条", "Art. 18",
        "During an approved rental, neither the member nor the tenant may use the service.",
        "賃貸借期間中、会員及び賃借人は本サービスを利用することができない。",
        "この賃貸借期間中、会員の年会費の支払義務は、免除されませんが、会員及び賃借人は、本サービスを利用することができません。",
    ),
    Rule(
        "IE-19.3", "must", None, "第19条第3項", "Art. 19(3)",
        "A member who has not consented to, or has stopped, provision of their data to the operating company cannot use the 24-hour service but still owes the annual fee.",
        "運営会社への個人情報の提供に同意しない場合又は提供の停止を求めた場合、会員は24時間かけつけサービスを利用できないが、退会しない限り年会費を支払う必要がある。",
        "会員は、当社が運営会社に対して前項の個人情報を、24時間かけつけサービス運営のために提供することに同意します。但し、会員は運営会社への提供の停止を求めることができるものとします。なお、提供の同意が得られない場合又は提供の停止が要求された場合、会員は、24時間かけつけサービスを、利用できません。この場合でも、会員が退会をしない限り、年会費を支払う必要があります。",
    ),
    Rule(
        "IE-14.6", "must", None, "第14条第6項", "Art. 14(6)",
        "A withdrawn member no longer receives any service or benefit.",
        "退会した会員は、以後、当社及び業務委託先企業を通じて提供されるサービスや特典等を受けられない。",
        "会員は、退会した場合、以後、当社及び当社が業務委託先企業を通じて会員に対して提供するサービスや特典等を、受けられなくなります。",
    ),
    Rule(
        "IE-13.1", "must", None, "第13条第1項", "Art. 13(1)",
        "A member whose use of the service is suspended cannot use it while suspended.",
        "本サービスの利用を一時停止された会員は、停止中、本サービスを利用することができない。",
        _IE_13_1,
    ),
    # ------------------------------------------------------------------
    # Art. 11 (liability)
    # ------------------------------------------------------------------
    Rule(
        "IE-11.2", "calc", None, "第11条第2項", "Art. 11(2)",
        "Where the company is liable, its liability is capped at one year's annual fee, except for intent or gross negligence.",
        "当社の責に帰すべき事由による損害賠償責任額は1年分の年会費相当額を限度とする。ただし、当社の故意又は重過失による場合はこの限りでない。",
        "当社の責に帰すべき事由により、本サービスによる損害が会員に生じた場合、当社の損害賠償責任額は、1年分の年会費相当額を限度とします。但し、当社の故意又は重過失による場合はこの限りではありません。",
    ),
    # ------------------------------------------------------------------
    # Art. 13 (suspension grounds)
    # ------------------------------------------------------------------
    Rule(
        "IE-13.1.1", "may", "judged", "第13条第1項第1号", "Art. 13(1)(i)",
        "The company may suspend a member who breached these terms in whole or in part.",
        "本規約の全部又は一部に違反する会員の行為があった場合、当社は本サービスの利用を一時停止することがある。",
        _IE_13_1 + "\n本規約の全部又は一部に違反する会員の行為があった場合",
    ),
    Rule(
        "IE-13.1.2", "may", "detected", "第13条第1項第2号", "Art. 13(1)(ii)",
        "The company may suspend a member who is late paying the annual fee.",
        "会員が年会費の支払いを遅延した場合、当社は本サービスの利用を一時停止することがある。",
        _IE_13_1 + "\n会員が年会費の支払いを遅延した場合",
    ),
    Rule(
        "IE-13.1.3", "may", "judged", "第13条第1項第3号", "Art. 13(1)(iii)",
        "The company may suspend a member who obstructed the operation of the service.",
        "会員が本サービスの運営を妨害した場合、当社は本サービスの利用を一時停止することがある。",
        _IE_13_1 + "\n会員が本サービスの運営を妨害した場合",
    ),
    Rule(
        "IE-13.1.4", "may", "judged", "第13条第1項第4号", "Art. 13(1)(iv)",
        "The company may suspend a member who cannot be reached by e-mail, SMS or phone about continuing the service.",
        "本サービスの継続に関して、電子メール、SMS又は電話により会員と連絡が取れなくなった場合、当社は本サービスの利用を一時停止することがある。",
        _IE_13_1 + "\n本サービスの継続に関して、電子メール、SMS又は電話により、会員と連絡が取れなくなった場合",
    ),
    Rule(
        "IE-13.1.5", "may", "judged", "第13条第1項第5号", "Art. 13(1)(v)",
        "The company may suspend a member who carried out the registration procedure again while suspended.",
        "利用を一時停止したにもかかわらず、再度会員が会員登録手続を行った場合、当社は本サービスの利用を一時停止することがある。",
        _IE_13_1 + "\n当社が会員の本サービスの利用を一時停止したにもかかわらず、再度会員が本サービスの会員登録手続を行った場合",
    ),
    Rule(
        "IE-13.1.6", "may", "detected", "第13条第1項第6号", "Art. 13(1)(vi)",
        "The company may suspend a member who let the property without the approval of Art. 18.",
        "会員が本規約18条に定める当社の承認を得ずに対象物件を賃貸した場合、当社は本サービスの利用を一時停止することがある。",
        _IE_13_1 + "\n会員が本規約18条に定める当社の承認を得ずに対象物件を賃貸した場合",
    ),
    Rule(
        "IE-13.1.7", "may", "judged", "第13条第1項第7号", "Art. 13(1)(vii)",
        "The company may suspend a member it judges unsuitable for other reasonable grounds.",
        "その他当社が合理的な理由により会員として不適切であると判断した場合、当社は本サービスの利用を一時停止することがある。",
        _IE_13_1 + "\nその他当社が合理的な理由により会員として不適切であると判断した場合",
    ),
    # ------------------------------------------------------------------
    # Art. 14 (withdrawal and revocation)
    # ------------------------------------------------------------------
    Rule(
        "IE-14.1", "calc", None, "第14条第1項", "Art. 14(1)",
        "A member who gives notice of withdrawal in the prescribed way withdraws at the expiry of the validity period.",
        "会員が本規約3条5項の当社所定の方法により退会を申し出た場合、有効期間の満了をもって退会する。",
        "会員が本規約3条5項の当社所定の方法により退会を申し出た場合、会員は、有効期間の満了をもって、退会するものとします。",
    ),
    Rule(
        "IE-14.2", "calc", None, "第14条第2項", "Art. 14(2)",
        "When the property is transferred and a secondary acquirer newly registers, the member withdraws as of the transfer date.",
        "会員又はその親族が対象物件を第三者に譲渡し2次取得者等が新規に会員登録した場合、会員は譲渡日をもって退会する。",
        "会員又は会員の親族が対象物件を第三者に譲渡し2次取得者等が新規に会員登録した場合、会員は、譲渡日をもって退会するものとします。",
    ),
    Rule(
        "IE-14.2.void", "calc", None, "第14条第2項", "Art. 14(2)",
        "Renewals and charges made for dates after the date a member is deemed withdrawn are void.",
        "会員が退会したものとみなされる日より後の日付でなされた更新及び請求は、無効とする。",
        "会員又は会員の親族が対象物件を第三者に譲渡し2次取得者等が新規に会員登録した場合、会員は、譲渡日をもって退会するものとします。",
    ),
    Rule(
        "IE-14.3", "may", "judged", "第14条第3項", "Art. 14(3)",
        "The company may revoke membership without notice or demand on any ground listed in Art. 14(3).",
        "以下の各号に該当する場合、当社は事前に何らの通知又は催告をすることなく会員資格を取り消すことができる。",
        _IE_14_3,
    ),
    Rule(
        "IE-14.3.1", "may", "judged", "第14条第3項第1号", "Art. 14(3)(i)",
        "The company may revoke the membership of a member who breached these terms in whole or in part.",
        "本規約の全部又は一部に違反する会員の行為があった場合、当社は会員資格を取り消すことができる。",
        _IE_14_3 + "\n本規約の全部又は一部に違反する会員の行為があった場合",
    ),
    Rule(
        "IE-14.3.2", "may", "detected", "第14条第3項第2号", "Art. 14(3)(ii)",
        "The company may revoke the membership of a member who changed the property's owner or user without prior notice to the company.",
        "会員が当社に事前の通知をすることなく対象物件の所有者又は使用者を変更した場合、当社は会員資格を取り消すことができる。",
        _IE_14_3 + "\n会員が当社に事前の通知をすることなく、対象物件の所有者又は使用者を変更した場合",
    ),
    Rule(
        "IE-14.3.3", "may", "detected", "第14条第3項第3号", "Art. 14(3)(iii)",
        "The company may revoke the membership of a member whose annual fee is one month in arrears or whose cardholder status the card company suspended.",
        "会員が年会費の支払いを1か月滞納した場合又はカード会社により会員のカード会員資格が停止された場合、当社は会員資格を取り消すことができる。",
        _IE_14_3 + "\n会員が年会費の支払いを1か月滞納した場合又はカード会社により会員のカード会員資格が停止された場合",
    ),
    Rule(
        "IE-14.3.4", "may", "judged", "第14条第3項第4号", "Art. 14(3)(iv)",
        "The company may revoke the membership of a member subject to attachment, provisional attachment or disposition, compulsory execution, auction, or tax-arrears disposition.",
        "会員が差押え、仮差押え、仮処分その他強制執行もしくは競売の申立て又は公租公課の滞納処分等を受けた場合、当社は会員資格を取り消すことができる。",
        _IE_14_3 + "\n会員が第三者より差押え、仮差押え、仮処分その他強制執行もしくは競売の申立て又は公租公課の滞納処分等を受けた場合",
    ),
    Rule(
        "IE-14.3.5", "may", "judged", "第14条第3項第5号", "Art. 14(3)(v)",
        "The company may revoke the membership of a member for whom civil rehabilitation, bankruptcy or specific conciliation was filed.",
        "会員に対して民事再生手続開始、破産手続開始又は特定調停の申立てがあった場合、当社は会員資格を取り消すことができる。",
        _IE_14_3 + "\n会員に対して民事再生手続開始、破産手続開始又は特定調停の申立てがあった場合",
    ),
    Rule(
        "IE-14.3.6", "may", "judged", "第14条第3項第6号", "Art. 14(3)(vi)",
        "The company may revoke the membership of a member found to belong to or be connected with antisocial forces.",
        "会員が反社会的勢力もしくは反社会的活動を行う団体に所属し、又はこれらと関係を有することが明らかとなった場合、当社は会員資格を取り消すことができる。",
        _IE_14_3 + "\n会員が反社会的勢力もしくは反社会的活動を行う団体に所属し、又はこれらと関係を有することが明らかとなった場合",
    ),
    Rule(
        "IE-14.3.7", "may", "judged", "第14条第3項第7号", "Art. 14(3)(vii)",
        "The company may revoke the membership of a member who made unjust or violent demands on the company, a group company or a contractor.",
        "会員が当社、グループ各社又は業務委託先企業に対し、法的な責任を超えた不当な要求又は暴力的な要求行為をした場合、当社は会員資格を取り消すことができる。",
        _IE_14_3 + "\n会員が当社、グループ各社又は業務委託先企業に対し、法的な責任を超えた不当な要求又は暴力的な要求行為をした場合",
    ),
    Rule(
        "IE-14.3.8", "may", "detected", "第14条第3項第8号", "Art. 14(3)(viii)",
        "The company may revoke the membership when, despite good-faith negotiation, the inspection could not be done by the end of the month after the designated month for the member's reasons, or the service cannot be provided because the member does not cooperate without just reason.",
        "点検担当会社が誠実に協議しているにもかかわらず、点検指定月及びその翌月を過ぎても会員の事情により家サポ点検を遂行できない場合、その他正当な理由なく会員の協力が得られないため本サービスを提供できない場合、当社は会員資格を取り消すことができる。",
        _IE_14_3 + "\n点検担当会社が誠実に協議を行っている又は行おうとしているにもかかわらず、点検指定月及びその翌月を過ぎても家サポ点検を会員の事情により遂行できない場合その他本サービスの提供について正当な理由がないにもかかわらず会員の協力が得られないため、本サービスの提供ができない場合",
    ),
    Rule(
        "IE-14.3.9", "may", "judged", "第14条第3項第9号", "Art. 14(3)(ix)",
        "The company may revoke the membership when the property decayed, was damaged, collapsed or was lost.",
        "対象物件が朽廃・損壊・倒壊・滅失した場合、当社は会員資格を取り消すことができる。",
        _IE_14_3 + "\n対象物件が朽廃・損壊・倒壊・滅失した場合",
    ),
    Rule(
        "IE-14.3.10", "may", "detected", "第14条第3項第10号", "Art. 14(3)(x)",
        "The company may revoke the membership of a member who withdrew consent to the use of personal information or asked to stop its provision to third parties.",
        "個人情報の取得・利用に関し、会員より同意の撤回又は第三者への提供の停止の申出がされた場合、当社は会員資格を取り消すことができる。",
        _IE_14_3 + "\n個人情報の取得・利用に関し、会員より同意の撤回又は第三者への提供の停止の申出がされた場合",
    ),
    Rule(
        "IE-14.3.11", "may", "judged", "第14条第3項第11号", "Art. 14(3)(xi)",
        "The company may revoke the membership of a member who otherwise obstructed the provision of the service.",
        "その他会員に本サービスの提供に支障をきたす行為があった場合、当社は会員資格を取り消すことができる。",
        _IE_14_3 + "\nその他会員に本サービスの提供に支障をきたす行為があった場合",
    ),
    Rule(
        "IE-14.4", "calc", None, "第14条第4項", "Art. 14(4)",
        "A member whose membership is revoked is deemed to have withdrawn immediately.",
        "会員資格が取り消された場合、会員は即時に退会したものとみなす。",
        "前項により会員資格が取り消された場合、会員は、即時に退会したものとみなします。",
    ),
    Rule(
        "IE-14.5", "must", None, "第14条第5項", "Art. 14(5)",
        "Unpaid annual fees remain owed after withdrawal.",
        "会員は、退会した場合であっても、未払い分の年会費を支払う。",
        "会員は、退会した場合であっても、未払い分の年会費を、支払うものとします。",
    ),
    # ------------------------------------------------------------------
    # Art. 15, 16 (change of owner or user; no assignment)
    # ------------------------------------------------------------------
    Rule(
        "IE-15.1", "must", None, "第15条第1項", "Art. 15(1)",
        "A change of the property's owner or user must be notified to the company in advance, or for inheritance within one month of its opening.",
        "対象物件の所有者又は使用者が変更となる場合、通知義務者は、当社に対して事前(相続の場合は相続開始より1か月以内)にその旨を通知する。",
        "対象物件の所有者又は使用者が変更となる場合、会員、相続人及び対象物件を実質的に管理する者(以下、「通知義務者」といいます。)は、当社に対して、事前(相続の場合は、相続開始より1か月以内)にその旨を通知するものとします。",
    ),
    Rule(
        "IE-15.2", "calc", None, "第15条第2項", "Art. 15(2)",
        "A member who wants to withdraw because of such a change gives the information the company needs and a notice of withdrawal in the way of Art. 3(5).",
        "前項の変更により退会を希望する場合、通知義務者は、前項の通知と合わせて当社が必要と認める情報を提供したうえ、本規約3条5項に定める方法により退会の通知をする。",
        "前項の変更により退会を希望する場合、通知義務者は、前項の通知と合わせて、当社が必要と認める情報を当社に提供したうえ、本規約3条5項に定める方法により、退会の通知をするものとします。",
    ),
    Rule(
        "IE-16", "must", None, "第16条", "Art. 16",
        "Membership and the rights and obligations under the service cannot be assigned, inherited or pledged.",
        "会員は、会員資格及び本サービス上の権利義務の全部又は一部を第三者に譲渡し、承継し、又は担保に供してはならない。",
        "会員は、会員資格及び本サービス上の権利、義務の全部又は一部を第三者に譲渡し、承継し、もしくは担保に供してはならないものとします。",
    ),
    # ------------------------------------------------------------------
    # Art. 17 (secondary acquirers)
    # ------------------------------------------------------------------
    Rule(
        "IE-17.1", "calc", None, "第17条第1項", "Art. 17(1)",
        "A secondary acquirer registers anew and pays the fee for the year after the previous owner's validity period ends, never the previous owner's remaining period again.",
        "2次取得者等は、新規に会員登録手続、翌年度の年会費支払い(前所有者の有効期間満了後の次年度分。前所有者の有効期間満了までの年会費を重ねて支払う必要はない)及び関連手続を行い、当社の承諾を受けて会員登録が完了する。",
        "2次取得者等が対象物件の所有権を前所有者から取得した場合、2次取得者等は、新規に会員登録手続、翌年度の年会費支払い(前所有者の有効期間満了後の次年度分の年会費の支払い。なお、前所有者の有効期間満了までの年会費を重ねて支払う必要はありません。)及び関連手続(前所有者の本規約15条の通知を含みます。)を行い、当社の承諾を受けて会員登録が完了します。",
    ),
    Rule(
        "IE-17.2", "may", "judged", "第17条第2項", "Art. 17(2)",
        "The company may refuse a secondary acquirer's registration on any ground listed in Art. 17(2).",
        "当社は、各号のいずれかに該当する場合、2次取得者等の会員登録を承諾しないことができる。",
        _IE_17_2,
    ),
    Rule(
        "IE-17.2.1", "may", "detected", "第17条第2項第1号", "Art. 17(2)(i)",
        "The company may refuse a secondary acquirer's registration when the advance notice of Art. 15 was not given.",
        "本規約15条に定める当社への事前の連絡がない場合、当社は2次取得者等の会員登録を承諾しないことができる。",
        _IE_17_2 + "\n本規約15条に定める当社への事前の連絡がない場合",
    ),
    Rule(
        "IE-17.2.2", "may", "detected", "第17条第2項第2号", "Art. 17(2)(ii)",
        "The company may refuse a secondary acquirer's registration when the previous owner was not a member or is in arrears, unless the secondary acquirer pays those arrears.",
        "前所有者が会員でない場合又は前所有者が年会費の支払いを怠っている場合(2次取得者等が前所有者の年会費を支払った場合を除く)、当社は2次取得者等の会員登録を承諾しないことができる。",
        _IE_17_2 + "\n前所有者が会員でない場合又は前所有者が年会費の支払いを怠っている場合(但し、2次取得者等が前所有者の年会費を支払った場合を除きます。)",
    ),
    Rule(
        "IE-17.2.3", "may", "judged", "第17条第2項第3号", "Art. 17(2)(iii)",
        "The company may refuse a secondary acquirer's registration when the previous owner and the secondary acquirer did not cooperate with the transferee-certificate procedure of the warranty insurer.",
        "瑕疵保険法人等が発行する転得者証明書発行手続の申請に関して、前所有者及び2次取得者等が協力しなかった場合、当社は2次取得者等の会員登録を承諾しないことができる。",
        _IE_17_2 + "\n瑕疵保険法人等が発行する転得者証明書発行手続の申請に関して、前所有者及び2次取得者等が当社、グループ各社又は業務委託先企業に対して協力をしなかった場合",
    ),
    Rule(
        "IE-17.2.4", "may", "judged", "第17条第2項第4号", "Art. 17(2)(iv)",
        "The company may refuse a secondary acquirer's registration when the sale contracts, photo ID, post-move residence record or other requested documents are not provided.",
        "売買契約書、写真付き身分証明書(運転免許証又はマイナンバーカード)、住所移転後の住民票(控)その他当社の求める書面の提供が得られない場合、当社は2次取得者等の会員登録を承諾しないことができる。",
        _IE_17_2 + "\n前所有者及び2次取得者等の売買契約書、2次取得者等の写真付き身分証明書(運転免許証又はマイナンバーカード)、住所移転後の住民票(控)その他当社の求める書面の提供が得られない場合",
    ),
    Rule(
        "IE-17.2.5", "may", "judged", "第17条第2項第5号", "Art. 17(2)(v)",
        "The company may refuse a secondary acquirer's registration when the previous owner or the secondary acquirer does not cooperate with the company's procedure.",
        "当社所定の手続について前所有者又は2次取得者等から協力を得られない場合、当社は2次取得者等の会員登録を承諾しないことができる。",
        _IE_17_2 + "\n当社所定の手続について、前所有者又は2次取得者等から協力を得られない場合",
    ),
    Rule(
        "IE-17.2.6", "may", "judged", "第17条第2項第6号", "Art. 17(2)(vi)",
        "The company may refuse a secondary acquirer's registration for any other reason it judges prevents acceptance.",
        "その他2次取得者等の本サービスの利用に関して承諾できない事由があると当社が判断した場合、当社は2次取得者等の会員登録を承諾しないことができる。",
        _IE_17_2 + "\nその他2次取得者等の本サービスの利用に関して、承諾できない事由があると当社が判断した場合",
    ),
    Rule(
        "IE-17.3.2", "calc", None, "第17条第3項第2号", "Art. 17(3)(ii)",
        "Depending on when ownership moved, a secondary acquirer may not receive some inspections (year 2, or year 5 onwards) or other services.",
        "前所有者からの所有権移転の時期によっては、2年目又は5年目以降の家サポ点検その他のサービスが受けられない場合がある。",
        "前所有者からの所有権移転の時期によっては、2年目又は5年目以降の家サポ点検その他のサービスが受けられない場合があること。",
    ),
    # ------------------------------------------------------------------
    # Art. 18 (renting the property out) - one paragraph, three sentences
    # ------------------------------------------------------------------
    Rule(
        "IE-18.1", "must", None, "第18条第1文・第2文", "Art. 18, 1st-2nd sentences",
        "To keep membership while the property is let, member and tenant must apply by one month before the lease starts; the membership continues only if the company approves.",
        "対象物件を貸し出した後も会員資格の継続を希望する場合、会員及び賃借人は賃貸借開始の1か月前までに継続の申込をし、当社が承諾した場合に会員資格を継続できる。",
        "会員が対象物件を貸し出した後に会員資格の継続を希望する場合、会員及び対象物件の賃借人は、賃貸借開始の1か月前までに、当社所定の手続により、会員資格の継続の申込をするものとします。当社がこの申込を承諾した場合、会員は、会員資格を継続することができます。",
    ),
    Rule(
        "IE-18.2", "must", None, "第18条第3文", "Art. 18, 3rd sentence",
        "During the lease the annual fee stays owed, but neither member nor tenant may use the service.",
        "賃貸借期間中、会員の年会費の支払義務は免除されないが、会員及び賃借人は本サービスを利用することができない。",
        "この賃貸借期間中、会員の年会費の支払義務は、免除されませんが、会員及び賃借人は、本サービスを利用することができません。",
    ),
    # ------------------------------------------------------------------
    # Art. 19 (personal information)
    # ------------------------------------------------------------------
    Rule(
        "IE-19.1", "must", None, "第19条第1項", "Art. 19(1)",
        "The member must consent to the privacy policy and to the purposes of Art. 19(2); without that consent the registration is not accepted.",
        "会員は、当社のプライバシーポリシー及び本条2項の目的による個人情報の取得・利用に同意しなければならない。",
        "会員は、当社の以下のウェブサイト記載のプライバシーポリシーに同意します。\n"
        "会員は、前項の同意に加えて、当社が以下の目的のため、会員の住所、氏名、対象物件の所在地及び状況並びに本サービスの提供状況等の個人情報を、会員より取得し、利用することに同意します。",
    ),
    Rule(
        "IE-19.2", "calc", None, "第19条第2項", "Art. 19(2)",
        "The company may acquire and use the member's personal information for providing the service, offers by post, phone or e-mail, analysis and surveys, and serving secondary acquirers.",
        "当社は、本サービスの提供、郵便・電話・電子メール等による商品・サービスの案内、分析・研究・アンケート調査、及び2次取得者等へのサービス提供のため、会員の個人情報を取得・利用する。",
        "会員は、前項の同意に加えて、当社が以下の目的のため、会員の住所、氏名、対象物件の所在地及び状況並びに本サービスの提供状況等の個人情報を、会員より取得し、利用することに同意します。\n"
        "本サービスの提供及びこれに付随する業務の遂行のため。\n"
        "保険、リフォーム又は当社、グループ各社及び業務委託先企業において取り扱う商品・サービス等について、郵便、電話又は電子メール等の方法により案内するため。\n"
        "システム開発等又は会員満足度向上策等の検討のための分析、研究及びアンケート調査を実施するため。\n"
        "本規約17条の2次取得者等に対し本サービスを提供し、又はこれに付随する業務を遂行するため。",
    ),
    Rule(
        "IE-19.4", "calc", None, "第19条第4項", "Art. 19(4)",
        "The company may give personal information to contractors such as financial institutions, card companies and data processors, as far as their work needs.",
        "当社は、金融機関、カード会社及び情報処理会社等の業務委託先に、委託業務に必要な範囲で会員の個人情報を提供する。",
        "会員は、当社が本規約4条の本サービスの提供及び本サービスの運営を円滑にするため、金融機関、 カード会社及び情報処理会社等に業務の一部を委託し、これらの業務委託先に委託業務に必要な範囲で会員の個人情報を提供することに同意します。この場合、当社は、これらの業務委託先との間で個人情報の取扱いに関する契約を結ぶ等、適切な監督を行うものとします。",
    ),
    Rule(
        "IE-19.5", "calc", None, "第19条第5項", "Art. 19(5)",
        "Information collected and stored about the property passes to the secondary acquirer who newly registers for it.",
        "対象物件について収集、保存及び蓄積された情報等は、対象物件について新たに会員登録をした2次取得者等に提供される。",
        "会員は、2次取得者等が本サービスを継続的に受けられるようにするため、対象物件について収集、保存及び蓄積された情報等を、対象物件について新たに会員登録をした2次取得者等に提供することに同意します。",
    ),
    Rule(
        "IE-19.7", "must", None, "第19条第7項", "Art. 19(7)",
        "A member must report at once any theft or third-party use of their registration data and follow the company's instructions.",
        "会員は、会員登録情報の盗難又は第三者による使用が判明した場合、直ちに当社に連絡し、当社の指示に従う。",
        "会員は、会員登録情報の盗難があった場合又は第三者に使用されていることが判明した場合、直ちに当社にその旨を連絡するとともに、当社からの指示がある場合には、これに従うものとします。",
    ),
    Rule(
        "IE-19.8", "may", "detected", "第19条第8項", "Art. 19(8)",
        "If the member does not agree to this article, the company may refuse registration or start revocation of the membership.",
        "本条の記載内容に同意いただけない場合、当社は会員登録を断り、又は会員資格取消の手続をとることがある。",
        "本条の記載内容に同意いただけない場合、会員登録をお断りし、又は会員資格取消の手続をとることがあります。",
    ),
    Rule(
        "IE-19.9", "calc", None, "第19条第9項", "Art. 19(9)",
        "Information converted into a non-identifying form (age band, prefecture) may be used for any marketing and given to third parties.",
        "年代、都道府県在住までの情報等、個人を特定できない情報に変換した情報は、本サービス以外のマーケティング等に利用し、第三者に提供することができる。",
        "当社は、会員が本サービスの利用にあたり登録した情報又は本サービスの利用態様等により取得した情報については、 年代、都道府県在住までの情報等、個人を特定できない情報に変換したうえ、本サービス及び本サービス以外のマーケティング、広告宣伝等に利用し、また、第三者に提供することができるものとします。",
    ),
    Rule(
        "IE-19.10", "calc", None, "第19条第10項", "Art. 19(10)",
        "A member's personal information is kept only until the withdrawal or revocation procedure of Art. 14 is complete.",
        "会員の個人情報の保存期間は、本規約14条の退会・会員資格の取消の手続を完了するまでとする。",
        "会員の個人情報の保存期間は、本規約14条の退会・会員資格の取消の手続を完了するまでとします。",
    ),
    # ------------------------------------------------------------------
    # Appendices 3 and 4 (benefits)
    # ------------------------------------------------------------------
    Rule(
        "IE-A3", "calc", None, "別紙3", "Appendix 3",
        "The insured extended warranty from year 10 is free as a member benefit, but only if the required maintenance work and the completion inspection are done within the inspection company's deadlines.",
        "家サポ会員の特典として保険付き延長保証契約の費用を無償とする。ただし、必須メンテナンス工事又は完了検査を点検担当会社が定めた期間内に行わない場合、これを締結することができない。",
        "延長保証契約とは、住宅事業当事会社が会員資格の基礎となる対象物件の所有者(以下、「対象物件所有者」といいます。)に対し、新築住宅の引渡後10年経過以降において、対象物件の構造耐力上主要な部分等の瑕疵に起因して、当該対象物件が基本的な構造耐力性能又は防水性能を満たさない場合に生じる損害を保証する契約をいいます。この延長保証契約が締結されるためには、次号の延長保証保険契約の締結がされていることが必要です。\n"
        "延長保証契約及び延長保証保険契約を締結する場合、会員又は対象物件所有者は、当社又はグループ各社に対して、必須メンテナンス工事を発注することが必要になります。\n"
        "当社は、対象物件所有者に対し、家サポ会員の特典として、本件保険付き延長保証契約の費用を、無償とします。\n"
        "会員又は対象物件所有者が前条2項に定める必須メンテナンス工事を点検担当会社が定めた期間内に行わない場合又は前条4項の完了検査を点検担当会社が定めた期間内に受けない場合、対象物件所有者は、本件保険付き延長保証契約を締結することができません。",
    ),
    Rule(
        "IE-A4.1", "calc", None, "別紙4 第1条", "Appendix 4 Art. 1",
        "A member registered for KEIAI points receives points within about two weeks of the start date (new membership) or the fee payment confirmation (renewal).",
        "KEIAIポイント利用登録をしている会員には、新規の場合は利用開始日から、更新の場合は年会費の支払確認がとれた日から約2週間以内にポイントを付与する。",
        "会員がKEIAIポイント利用登録をしている場合、当社は、会員に対し、以下の日より約2週間以内に、当社が定めるポイントを付与します。但し、以下の日が年末年始等の長期休暇に重なった場合、通常よりもポイント付与に時間がかかることがあります。\n"
        "本サービスの新規利用開始の場合、本サービス利用開始日\n"
        "本サービス更新の場合、年会費の支払確認がとれた日\n"
        "(但し、2次取得者等の最初の更新日において、当該更新にかかる年会費が会員登録時にすでに支払われている場合は、この限りではありません。)",
    ),
    # ------------------------------------------------------------------
    # Presence-check support (在宅確認サポート)
    # ------------------------------------------------------------------
    Rule(
        "PC-1", "must", None, "在宅確認サポート 1.", "Presence check §1",
        "Only a contract holder of the underlying home service may enrol, by a separate user registration; there is no charge beyond the monthly fee and no limit on checks.",
        "「dリビング」契約者のみが別途JBR社への利用者登録により利用でき、月額料金以外の費用はかからず、回数制限もない。",
        "月額料金以外の費用はかからず、回数制限もありません。\n"
        "「dリビング」契約者であること。\n"
        "ご利用には、別途JBR社への利用者登録を行う必要があります。",
    ),
    Rule(
        "PC-2", "must", None, "在宅確認サポート 2.", "Presence check §2",
        "Enrolment registers the contract holder and exactly one target person, who must be family within the second degree of the contract holder.",
        "利用者登録では契約者及び在宅確認先の情報を登録し、在宅確認者は契約者の二親等以内の家族で、対象は一人に限る。",
        "JBR社の利用者登録から、ご契約者さまの住所・氏名等、および在宅確認先の住所・氏名等の情報を登録します。\n"
        "在宅確認者様ご本人は契約者の二親等以内の家族且つ、対象はお一人に限ります。",
    ),
    Rule(
        "PC-3.1", "calc", None, "在宅確認サポート 3.(1)", "Presence check §3(1)",
        "The company phones the target to confirm consent within three days after enrolment.",
        "事前の承諾確認は、在宅確認登録手続き後3日以内にJBR社から電話で行う。",
        "事前の承諾確認は、在宅確認登録手続き後3日以内にジャパンベストレスキューシステム株式会社(以下「JBR社」といいます。)よりお電話にて行わせていただきます。",
    ),
    Rule(
        "PC-3.2", "calc", None, "在宅確認サポート 3.(2)", "Presence check §3(2)",
        "If the first call did not connect, a second call is made between three days and one week after enrolment.",
        "1回目の確認が繋がらなかった場合は、登録より3日~1週間以内に2回目の確認の連絡を行う。",
        "1回目の確認が繋がらなかった場合は、2回目の確認のご連絡を登録より3日〜1週間以内に行わせていただきます。",
    ),
    Rule(
        "PC-3.3", "calc", None, "在宅確認サポート 3.(3)", "Presence check §3(3)",
        "The service starts when the target consents, and a registration-complete e-mail is sent to the contract holder.",
        "在宅確認対象者の事前の承諾が得られた時点でサービスの提供を開始し、契約者へ在宅確認登録完了メールを送る。",
        "在宅確認対象者様より事前の承諾が得られた時点でサービスの提供を開始致します。\n"
        "在宅確認対象者様の承諾を頂いた場合、本メールアドレスより契約者様へ在宅確認登録完了メールをお送り致します。",
    ),
    Rule(
        "PC-3.4", "calc", None, "在宅確認サポート 3.(4)", "Presence check §3(4)",
        "If two phone calls yield no consent, the contract holder is e-mailed that consent could not be obtained, and the service does not start.",
        "2回の電話連絡で承諾確認が得られなかった場合、契約者宛に確認が得られなかった旨のメールを送り、サービスは開始されない。",
        "なお、2回の電話連絡で承諾確認が得られなかった場合には、契約者様宛に確認が得られなかった旨のメールをお送りさせていただきます。",
    ),
    Rule(
        "PC-4.1", "calc", None, "在宅確認サポート 4.(1)", "Presence check §4(1)",
        "A check is requested by phone; the staff who can arrive soonest ring the intercom and check the electricity meter, the lights and the mailbox, not every item always being checkable.",
        "在宅確認は専用コールセンターへの電話で依頼し、最短で伺えるスタッフがインターホン、電気メーター、電気点灯状況、郵便ポストの状況を確認する(すべての項目を確認できるものではない)。",
        "専用コールセンターへ電話し、在宅確認を依頼します。\n"
        "最短で伺えるスタッフを手配し、下記の確認を実施します。\n"
        "インターホンを鳴らす\n"
        "電気メーターの動作状況確認\n"
        "電気点灯状況\n"
        "郵便ポストの状況(郵便物の量など)\n"
        "※すべての項目を確認できるものではありません。",
    ),
    Rule(
        "PC-4.2", "calc", None, "在宅確認サポート 4.(2)", "Presence check §4(2)",
        "If the target is at home, staff explain the visit, obtain a signature on the service form (leaving a copy) and report the result to the contract holder.",
        "在宅の場合、契約者の依頼で来た旨を説明してサービス書にサインをもらい(控えを渡す)、契約者に結果を報告する。",
        "ご契約者様の依頼で在宅確認に来た旨を説明し、サービス書にサインを頂きます。(サービス書の控えを渡します)\n"
        "その後、ご契約者様へ在宅確認の結果をご報告します。",
    ),
    Rule(
        "PC-4.3", "calc", None, "在宅確認サポート 4.(3)", "Presence check §4(3)",
        "If the target is absent, a memo asking them to contact the contract holder is left in the mailbox and the contract holder is told presence could not be confirmed.",
        "不在の場合、契約者に連絡してほしい旨のメモをポスト等に投函し、契約者に在宅確認が取れなかったことを報告する。",
        "ご契約者様に連絡頂きたい旨を記したメモをポスト等に投函し、ご契約者様に在宅確認が取れなかった事をご報告します。",
    ),
    Rule(
        "PC-5.1", "must", None, "在宅確認サポート 5.(1)", "Presence check §5(1)",
        "A check only confirms presence: it is not a safety check, not periodic, involves no entry into the home and no care.",
        "在宅確認は在宅の有無の確認に限り、安否確認ではなく、定期的・定常的な確認も、住まいの中に入っての確認や介助等も行わない。",
        "現場での確認内容に関しては全ての項目を確認できるものではありません。また、あくまで在宅の有無を確認するものであり、安否確認ではありません。\n"
        "在宅確認サポートにおける利用条件として、離れて暮らす家族と万が一連絡が取れなくなった際に訪問し在宅確認を行うものであり、定期的または定常的に確認を行うサービスではありません。また、お住まいの中に入っての確認や、介助等も行いません。",
    ),
    Rule(
        "PC-5.2", "calc", None, "在宅確認サポート 5.(2)", "Presence check §5(2)",
        "For a contract holder judged to use the service very often, the company first phones the target and sends staff only if presence cannot be confirmed.",
        "利用頻度が著しく多いと判断した契約者の場合、まず在宅確認先へ電話し、在宅の有無が確認できなかった場合にのみ駆付けを行う。",
        "弊社にて利用頻度が著しく多いお客様と判断した場合に関しては、在宅確認の駆付け要請をいただいた際、弊社から在宅確認先様へお電話をし、連絡がつかないなど在宅の有無が確認できなかった場合にのみ、駆付けを行います。",
    ),
    Rule(
        "PC-6.1", "may", "detected", "在宅確認サポート 6.(1)", "Presence check §6(1)",
        "The company may refuse a request to unlock the front door.",
        "玄関の開錠を希望する場合、サービスの提供を断ることがある。",
        _PC_6 + "\n(1)玄関の開錠を希望する場合",
    ),
    Rule(
        "PC-6.2", "may", "detected", "在宅確認サポート 6.(2)", "Presence check §6(2)",
        "The company may refuse a request for anything beyond a response at the front door.",
        "玄関前の対応以外の対応を希望する場合、サービスの提供を断ることがある。",
        _PC_6 + "\n(2)玄関前の対応以外の対応を希望する場合",
    ),
    Rule(
        "PC-6.3", "may", "detected", "在宅確認サポート 6.(3)", "Presence check §6(3)",
        "The company may refuse a request from anyone other than a relative within the second degree of the member.",
        "会員の二親等内の親族以外からの依頼である場合、サービスの提供を断ることがある。",
        _PC_6 + "\n(3)会員の二親等内の親族以外からの依頼である場合",
    ),
    Rule(
        "PC-6.4", "may", "detected", "在宅確認サポート 6.(4)", "Presence check §6(4)",
        "The company may refuse when the target's details are not registered.",
        "在宅確認者の情報が未登録の場合、サービスの提供を断ることがある。",
        _PC_6 + "\n(4)在宅確認者様情報登録が未登録の場合",
    ),
    Rule(
        "PC-6.5", "may", "detected", "在宅確認サポート 6.(5)", "Presence check §6(5)",
        "The company may refuse when the target has not agreed to the registration and start of the service.",
        "在宅確認者本人から、在宅確認先情報としての登録及びサービス開始について了承を得られなかった場合、サービスの提供を断ることがある。",
        _PC_6 + "\n(5)在宅確認者様ご本人より、在宅確認先情報としての登録及びサービス開始について了承を得られなかった場合",
    ),
    Rule(
        "PC-6.6", "may", "detected", "在宅確認サポート 6.(6)", "Presence check §6(6)",
        "The company may refuse when the resident of the registered address or their representative asked to stop the service.",
        "在宅確認情報登録先の居住者又はその代理人から在宅確認サポート停止の要請があった場合、サービスの提供を断ることがある。",
        _PC_6 + "\n(6)在宅確認情報登録先の居住者もしくはその代理人より在宅確認サポート停止の要請があった場合",
    ),
)

RULES: dict[str, Rule] = {r.id: r for r in _ALL}


def article(rule_id: str, lang: str) -> str:
    """The article a rule rests on, in ``lang`` ("ja" or anything else = English).

    ``article("IE-14.3.3", "ja")`` -> "第14条第3項第3号";
    ``article("IE-14.3.3", "en")`` -> "Art. 14(3)(iii)"; an unknown id -> the id itself.
    """
    rule = RULES.get(rule_id)
    if rule is None:
        return rule_id
    return rule.article_ja if lang == "ja" else rule.article_en


def title(rule_id: str, lang: str) -> str:
    """The one-sentence statement of a rule in ``lang``; an unknown id -> the id itself."""
    rule = RULES.get(rule_id)
    if rule is None:
        return rule_id
    return rule.title_ja if lang == "ja" else rule.title_en
