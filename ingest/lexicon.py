"""Words that make a name a body's name, and words that end a list of names.

Matched on the words as written, lower case, accents kept ("báo" is a newspaper, "bảo" is
not; "giáo" is not "giao"). A head starts a body's name ("Sở", "Ủy ban", "Công an", "Cục"),
a title ("Giám đốc", "Thủ trưởng") starts a person's office that stands for its body, a
collective word continues a list that stays one phrase ("các sở, ban, ngành").
"""

from __future__ import annotations

from dataclasses import dataclass


def _phrases(text: str) -> tuple[tuple[str, ...], ...]:
    return tuple(sorted({tuple(p.split()) for p in text.split(",") if p.strip()},
                        key=lambda p: -len(p)))


# heads of bodies' names; rewritten tokens ("ubnd", "ldld", "cd", "tld", "tcty") are included
HEADS = _phrases("""
bộ, sở, ban, văn phòng, ubnd, ubkt, ủy ban, công an, tỉnh ủy, thành ủy, huyện ủy, đảng ủy,
đảng đoàn, đảng bộ, hội, ldld, cd, tld, viện, học viện, trường, cục, tổng cục, chi cục, vụ,
kho bạc, ngân hàng, chi nhánh, đài, báo, bảo hiểm xã hội, bảo hiểm, thanh tra, tòa án,
viện kiểm sát, tiểu ban, hội đồng, hđnd, mặt trận, bộ chỉ huy, cơ quan, đơn vị, phòng,
thống kê, thuế, hải quan, kiểm toán, tập đoàn, tcty, cty, trung tâm, cấp ủy, chi bộ,
ban cán sự, ban thường vụ, btv, bch, địa phương, ngành, đoàn thể, tổ chức đảng, liên hiệp,
tạp chí, nhà xuất bản, bệnh viện, bộ phận, ban chỉ đạo, tổ công tác, chủ đầu tư
""")
# a head followed by one of these words is not a name ("Hội nghị", "Báo cáo", "ban hành")
NOT_AFTER = {
    ("hội",): {"nghị", "thảo", "thi", "viên", "diễn", "chợ", "nhập", "đủ", "tụ"},
    ("báo",): {"cáo"}, ("ban",): {"hành", "đầu", "ngày", "đêm"},
    ("bộ",): {"máy", "luật", "đội", "tiêu", "quy", "hồ", "công", "mặt", "dữ", "phận"},
    ("phòng",): {"chống", "cháy", "ngừa", "họp", "ngủ", "tránh", "vệ"},
    ("cục",): {"bộ"}, ("vụ",): {"việc", "án", "mùa"}, ("trường",): {"hợp", "học"},
    ("đơn", "vị"): {"tính"}, ("tổ", "chức"): {"thực", "triển", "hội", "tập", "các", "sơ", "tổng"},
    ("cơ", "quan"): {"chức"},
}
# heads that are also verbs or common nouns: a name only when written with a capital
CAPITAL_ONLY = _phrases("thống kê, thanh tra, kiểm toán, thuế, hải quan, phòng, đài")
# offices that stand for their body when a body's name follows ("Giám đốc các Sở")
TITLES = _phrases("""
thủ trưởng, giám đốc, chủ tịch, người đứng đầu, lãnh đạo, thường trực, trưởng ban,
cục trưởng, vụ trưởng, chánh văn phòng, bí thư, ban giám đốc, tổng giám đốc
""")
# words that continue a list of names that stays one phrase ("các sở, ban, ngành", "xã, phường")
COLLECTIVE = frozenset("""
ban ngành sở đơn vị địa phương cơ quan tổ chức đoàn thể doanh nghiệp xã phường thị trấn đặc
khu huyện quận tp tỉnh hội bộ trường viện ldld cd tcty cty công an
""".split())
# lower-case words that belong inside a body's name
NAME_WORDS = frozenset("""
tỉnh thành phố tp xã phường cấp huyện quận nhân dân liên quan có trực thuộc đặc khu trung ương
tw đảng ngành đơn vị địa phương cơ quan tổ chức sự nghiệp nhà nước vực thị trấn hội xã hội quân
chính trị tương đương các và của thông tin
""".split())
VERBS: tuple[tuple[str, ...], ...] = _phrases("""
chủ trì, phối hợp, chỉ đạo, tổ chức thực hiện, tổ chức triển khai, tham mưu, căn cứ,
có trách nhiệm, chịu trách nhiệm, cần, phải, sẽ, đã, đang, thực hiện, triển khai, xây dựng,
nghiên cứu, hướng dẫn, theo dõi, báo cáo, giao, đề nghị, yêu cầu, tăng cường, khẩn trương,
chủ động, quán triệt, tuyên truyền, kiểm tra, giám sát, tổng hợp, bố trí, đảm bảo, bảo đảm,
thường xuyên, tiếp tục, đẩy mạnh, nâng cao, ban hành, sửa đổi, đăng ký, phấn đấu, cụ thể hóa,
đôn đốc, đề xuất, hàng năm, hằng năm, hàng quý, hằng quý, hàng tháng, hằng tháng, định kỳ,
thời gian, trong, trước, sau, khi, nếu, để, nhằm, tại, theo, về, với, là, được, bị, đồng thời,
kết hợp, gắn, lựa chọn, làm, qua, có, rà soát, biên soạn, gửi, tham dự, phổ biến, vận động,
tập huấn, bồi dưỡng, thành lập, sơ kết, tổng kết, phát động, hỗ trợ, giải quyết, chăm lo,
đại diện, bảo vệ, thương lượng, ký kết, nắm bắt, lập, cung cấp, xác định, đánh giá, chuẩn bị,
tham gia, tiếp nhận, xử lý, đăng tải, khảo sát, hoàn thành, xong, phát triển, vận hành,
quản lý, tập trung, ưu tiên, kiện toàn, quan tâm, phê duyệt, cân đối, trình, tiến hành,
thu thập, duy trì, đổi mới, thúc đẩy, tổ chức, lãnh đạo, cập nhật, khai thác, sử dụng, chấp
hành, áp dụng, ứng dụng, cải thiện, củng cố, mở rộng, thẩm định, thông báo, phân công, bàn
giao, tiếp xúc, trao đổi, vận dụng, nghiêm túc, ra mắt, phát hành, đăng, khen thưởng, làm rõ,
trân trọng, cảm ơn, theo quy định, trên cơ sở, đối với, từ, đến, kịp thời, hoặc, nhưng, mà,
thì, còn, luôn, chưa, không, cũng
""")


@dataclass(frozen=True)
class Words:
    """The lower-case words of a text with their offsets (for head and verb look-ups)."""

    words: tuple[str, ...]

    def starts(self, i: int, phrases: tuple[tuple[str, ...], ...]) -> int:
        """The length of the first phrase of `phrases` at word i (0 when none)."""
        for phrase in phrases:
            if self.words[i:i + len(phrase)] == phrase:
                return len(phrase)
        return 0
