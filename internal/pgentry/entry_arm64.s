// SPDX-License-Identifier: Apache-2.0

//go:build linux && arm64

#include "textflag.h"

// Frame (entry.go) is at 16(RSP): below it the saved R27 and R30. FRAME
// keeps RSP 16-byte aligned, as AAPCS64 requires at every access.
#define FRAME (16+528)
#define F 16
#define INDEX (F+512)
#define RESULT (F+112)

GLOBL ·table(SB), NOPTR|RODATA, $8
DATA ·table(SB)/8, $entries<>(SB)

// entries is N entry points of two instructions (8 bytes) each: load
// the index into R12 (a scratch register for a callee) and branch to
// entry.
TEXT entries<>(SB), NOSPLIT|NOFRAME, $0
	MOVD $0, R12
	B    entry<>(SB)
	MOVD $1, R12
	B    entry<>(SB)
	MOVD $2, R12
	B    entry<>(SB)
	MOVD $3, R12
	B    entry<>(SB)
	MOVD $4, R12
	B    entry<>(SB)
	MOVD $5, R12
	B    entry<>(SB)
	MOVD $6, R12
	B    entry<>(SB)
	MOVD $7, R12
	B    entry<>(SB)
	MOVD $8, R12
	B    entry<>(SB)
	MOVD $9, R12
	B    entry<>(SB)
	MOVD $10, R12
	B    entry<>(SB)
	MOVD $11, R12
	B    entry<>(SB)
	MOVD $12, R12
	B    entry<>(SB)
	MOVD $13, R12
	B    entry<>(SB)
	MOVD $14, R12
	B    entry<>(SB)
	MOVD $15, R12
	B    entry<>(SB)
	MOVD $16, R12
	B    entry<>(SB)
	MOVD $17, R12
	B    entry<>(SB)
	MOVD $18, R12
	B    entry<>(SB)
	MOVD $19, R12
	B    entry<>(SB)
	MOVD $20, R12
	B    entry<>(SB)
	MOVD $21, R12
	B    entry<>(SB)
	MOVD $22, R12
	B    entry<>(SB)
	MOVD $23, R12
	B    entry<>(SB)
	MOVD $24, R12
	B    entry<>(SB)
	MOVD $25, R12
	B    entry<>(SB)
	MOVD $26, R12
	B    entry<>(SB)
	MOVD $27, R12
	B    entry<>(SB)
	MOVD $28, R12
	B    entry<>(SB)
	MOVD $29, R12
	B    entry<>(SB)
	MOVD $30, R12
	B    entry<>(SB)
	MOVD $31, R12
	B    entry<>(SB)
	MOVD $32, R12
	B    entry<>(SB)
	MOVD $33, R12
	B    entry<>(SB)
	MOVD $34, R12
	B    entry<>(SB)
	MOVD $35, R12
	B    entry<>(SB)
	MOVD $36, R12
	B    entry<>(SB)
	MOVD $37, R12
	B    entry<>(SB)
	MOVD $38, R12
	B    entry<>(SB)
	MOVD $39, R12
	B    entry<>(SB)
	MOVD $40, R12
	B    entry<>(SB)
	MOVD $41, R12
	B    entry<>(SB)
	MOVD $42, R12
	B    entry<>(SB)
	MOVD $43, R12
	B    entry<>(SB)
	MOVD $44, R12
	B    entry<>(SB)
	MOVD $45, R12
	B    entry<>(SB)
	MOVD $46, R12
	B    entry<>(SB)
	MOVD $47, R12
	B    entry<>(SB)
	MOVD $48, R12
	B    entry<>(SB)
	MOVD $49, R12
	B    entry<>(SB)
	MOVD $50, R12
	B    entry<>(SB)
	MOVD $51, R12
	B    entry<>(SB)
	MOVD $52, R12
	B    entry<>(SB)
	MOVD $53, R12
	B    entry<>(SB)
	MOVD $54, R12
	B    entry<>(SB)
	MOVD $55, R12
	B    entry<>(SB)
	MOVD $56, R12
	B    entry<>(SB)
	MOVD $57, R12
	B    entry<>(SB)
	MOVD $58, R12
	B    entry<>(SB)
	MOVD $59, R12
	B    entry<>(SB)
	MOVD $60, R12
	B    entry<>(SB)
	MOVD $61, R12
	B    entry<>(SB)
	MOVD $62, R12
	B    entry<>(SB)
	MOVD $63, R12
	B    entry<>(SB)
	MOVD $64, R12
	B    entry<>(SB)
	MOVD $65, R12
	B    entry<>(SB)
	MOVD $66, R12
	B    entry<>(SB)
	MOVD $67, R12
	B    entry<>(SB)
	MOVD $68, R12
	B    entry<>(SB)
	MOVD $69, R12
	B    entry<>(SB)
	MOVD $70, R12
	B    entry<>(SB)
	MOVD $71, R12
	B    entry<>(SB)
	MOVD $72, R12
	B    entry<>(SB)
	MOVD $73, R12
	B    entry<>(SB)
	MOVD $74, R12
	B    entry<>(SB)
	MOVD $75, R12
	B    entry<>(SB)
	MOVD $76, R12
	B    entry<>(SB)
	MOVD $77, R12
	B    entry<>(SB)
	MOVD $78, R12
	B    entry<>(SB)
	MOVD $79, R12
	B    entry<>(SB)
	MOVD $80, R12
	B    entry<>(SB)
	MOVD $81, R12
	B    entry<>(SB)
	MOVD $82, R12
	B    entry<>(SB)
	MOVD $83, R12
	B    entry<>(SB)
	MOVD $84, R12
	B    entry<>(SB)
	MOVD $85, R12
	B    entry<>(SB)
	MOVD $86, R12
	B    entry<>(SB)
	MOVD $87, R12
	B    entry<>(SB)
	MOVD $88, R12
	B    entry<>(SB)
	MOVD $89, R12
	B    entry<>(SB)
	MOVD $90, R12
	B    entry<>(SB)
	MOVD $91, R12
	B    entry<>(SB)
	MOVD $92, R12
	B    entry<>(SB)
	MOVD $93, R12
	B    entry<>(SB)
	MOVD $94, R12
	B    entry<>(SB)
	MOVD $95, R12
	B    entry<>(SB)
	MOVD $96, R12
	B    entry<>(SB)
	MOVD $97, R12
	B    entry<>(SB)
	MOVD $98, R12
	B    entry<>(SB)
	MOVD $99, R12
	B    entry<>(SB)
	MOVD $100, R12
	B    entry<>(SB)
	MOVD $101, R12
	B    entry<>(SB)
	MOVD $102, R12
	B    entry<>(SB)
	MOVD $103, R12
	B    entry<>(SB)
	MOVD $104, R12
	B    entry<>(SB)
	MOVD $105, R12
	B    entry<>(SB)
	MOVD $106, R12
	B    entry<>(SB)
	MOVD $107, R12
	B    entry<>(SB)
	MOVD $108, R12
	B    entry<>(SB)
	MOVD $109, R12
	B    entry<>(SB)
	MOVD $110, R12
	B    entry<>(SB)
	MOVD $111, R12
	B    entry<>(SB)
	MOVD $112, R12
	B    entry<>(SB)
	MOVD $113, R12
	B    entry<>(SB)
	MOVD $114, R12
	B    entry<>(SB)
	MOVD $115, R12
	B    entry<>(SB)
	MOVD $116, R12
	B    entry<>(SB)
	MOVD $117, R12
	B    entry<>(SB)
	MOVD $118, R12
	B    entry<>(SB)
	MOVD $119, R12
	B    entry<>(SB)
	MOVD $120, R12
	B    entry<>(SB)
	MOVD $121, R12
	B    entry<>(SB)
	MOVD $122, R12
	B    entry<>(SB)
	MOVD $123, R12
	B    entry<>(SB)
	MOVD $124, R12
	B    entry<>(SB)
	MOVD $125, R12
	B    entry<>(SB)
	MOVD $126, R12
	B    entry<>(SB)
	MOVD $127, R12
	B    entry<>(SB)
	MOVD $128, R12
	B    entry<>(SB)
	MOVD $129, R12
	B    entry<>(SB)
	MOVD $130, R12
	B    entry<>(SB)
	MOVD $131, R12
	B    entry<>(SB)
	MOVD $132, R12
	B    entry<>(SB)
	MOVD $133, R12
	B    entry<>(SB)
	MOVD $134, R12
	B    entry<>(SB)
	MOVD $135, R12
	B    entry<>(SB)
	MOVD $136, R12
	B    entry<>(SB)
	MOVD $137, R12
	B    entry<>(SB)
	MOVD $138, R12
	B    entry<>(SB)
	MOVD $139, R12
	B    entry<>(SB)
	MOVD $140, R12
	B    entry<>(SB)
	MOVD $141, R12
	B    entry<>(SB)
	MOVD $142, R12
	B    entry<>(SB)
	MOVD $143, R12
	B    entry<>(SB)
	MOVD $144, R12
	B    entry<>(SB)
	MOVD $145, R12
	B    entry<>(SB)
	MOVD $146, R12
	B    entry<>(SB)
	MOVD $147, R12
	B    entry<>(SB)
	MOVD $148, R12
	B    entry<>(SB)
	MOVD $149, R12
	B    entry<>(SB)
	MOVD $150, R12
	B    entry<>(SB)
	MOVD $151, R12
	B    entry<>(SB)
	MOVD $152, R12
	B    entry<>(SB)
	MOVD $153, R12
	B    entry<>(SB)
	MOVD $154, R12
	B    entry<>(SB)
	MOVD $155, R12
	B    entry<>(SB)
	MOVD $156, R12
	B    entry<>(SB)
	MOVD $157, R12
	B    entry<>(SB)
	MOVD $158, R12
	B    entry<>(SB)
	MOVD $159, R12
	B    entry<>(SB)
	MOVD $160, R12
	B    entry<>(SB)
	MOVD $161, R12
	B    entry<>(SB)
	MOVD $162, R12
	B    entry<>(SB)
	MOVD $163, R12
	B    entry<>(SB)
	MOVD $164, R12
	B    entry<>(SB)
	MOVD $165, R12
	B    entry<>(SB)
	MOVD $166, R12
	B    entry<>(SB)
	MOVD $167, R12
	B    entry<>(SB)
	MOVD $168, R12
	B    entry<>(SB)
	MOVD $169, R12
	B    entry<>(SB)
	MOVD $170, R12
	B    entry<>(SB)
	MOVD $171, R12
	B    entry<>(SB)
	MOVD $172, R12
	B    entry<>(SB)
	MOVD $173, R12
	B    entry<>(SB)
	MOVD $174, R12
	B    entry<>(SB)
	MOVD $175, R12
	B    entry<>(SB)
	MOVD $176, R12
	B    entry<>(SB)
	MOVD $177, R12
	B    entry<>(SB)
	MOVD $178, R12
	B    entry<>(SB)
	MOVD $179, R12
	B    entry<>(SB)
	MOVD $180, R12
	B    entry<>(SB)
	MOVD $181, R12
	B    entry<>(SB)
	MOVD $182, R12
	B    entry<>(SB)
	MOVD $183, R12
	B    entry<>(SB)
	MOVD $184, R12
	B    entry<>(SB)
	MOVD $185, R12
	B    entry<>(SB)
	MOVD $186, R12
	B    entry<>(SB)
	MOVD $187, R12
	B    entry<>(SB)
	MOVD $188, R12
	B    entry<>(SB)
	MOVD $189, R12
	B    entry<>(SB)
	MOVD $190, R12
	B    entry<>(SB)
	MOVD $191, R12
	B    entry<>(SB)
	MOVD $192, R12
	B    entry<>(SB)
	MOVD $193, R12
	B    entry<>(SB)
	MOVD $194, R12
	B    entry<>(SB)
	MOVD $195, R12
	B    entry<>(SB)
	MOVD $196, R12
	B    entry<>(SB)
	MOVD $197, R12
	B    entry<>(SB)
	MOVD $198, R12
	B    entry<>(SB)
	MOVD $199, R12
	B    entry<>(SB)
	MOVD $200, R12
	B    entry<>(SB)
	MOVD $201, R12
	B    entry<>(SB)
	MOVD $202, R12
	B    entry<>(SB)
	MOVD $203, R12
	B    entry<>(SB)
	MOVD $204, R12
	B    entry<>(SB)
	MOVD $205, R12
	B    entry<>(SB)
	MOVD $206, R12
	B    entry<>(SB)
	MOVD $207, R12
	B    entry<>(SB)
	MOVD $208, R12
	B    entry<>(SB)
	MOVD $209, R12
	B    entry<>(SB)
	MOVD $210, R12
	B    entry<>(SB)
	MOVD $211, R12
	B    entry<>(SB)
	MOVD $212, R12
	B    entry<>(SB)
	MOVD $213, R12
	B    entry<>(SB)
	MOVD $214, R12
	B    entry<>(SB)
	MOVD $215, R12
	B    entry<>(SB)
	MOVD $216, R12
	B    entry<>(SB)
	MOVD $217, R12
	B    entry<>(SB)
	MOVD $218, R12
	B    entry<>(SB)
	MOVD $219, R12
	B    entry<>(SB)
	MOVD $220, R12
	B    entry<>(SB)
	MOVD $221, R12
	B    entry<>(SB)
	MOVD $222, R12
	B    entry<>(SB)
	MOVD $223, R12
	B    entry<>(SB)
	MOVD $224, R12
	B    entry<>(SB)
	MOVD $225, R12
	B    entry<>(SB)
	MOVD $226, R12
	B    entry<>(SB)
	MOVD $227, R12
	B    entry<>(SB)
	MOVD $228, R12
	B    entry<>(SB)
	MOVD $229, R12
	B    entry<>(SB)
	MOVD $230, R12
	B    entry<>(SB)
	MOVD $231, R12
	B    entry<>(SB)
	MOVD $232, R12
	B    entry<>(SB)
	MOVD $233, R12
	B    entry<>(SB)
	MOVD $234, R12
	B    entry<>(SB)
	MOVD $235, R12
	B    entry<>(SB)
	MOVD $236, R12
	B    entry<>(SB)
	MOVD $237, R12
	B    entry<>(SB)
	MOVD $238, R12
	B    entry<>(SB)
	MOVD $239, R12
	B    entry<>(SB)
	MOVD $240, R12
	B    entry<>(SB)
	MOVD $241, R12
	B    entry<>(SB)
	MOVD $242, R12
	B    entry<>(SB)
	MOVD $243, R12
	B    entry<>(SB)
	MOVD $244, R12
	B    entry<>(SB)
	MOVD $245, R12
	B    entry<>(SB)
	MOVD $246, R12
	B    entry<>(SB)
	MOVD $247, R12
	B    entry<>(SB)
	MOVD $248, R12
	B    entry<>(SB)
	MOVD $249, R12
	B    entry<>(SB)
	MOVD $250, R12
	B    entry<>(SB)
	MOVD $251, R12
	B    entry<>(SB)
	MOVD $252, R12
	B    entry<>(SB)
	MOVD $253, R12
	B    entry<>(SB)
	MOVD $254, R12
	B    entry<>(SB)
	MOVD $255, R12
	B    entry<>(SB)
	MOVD $256, R12
	B    entry<>(SB)
	MOVD $257, R12
	B    entry<>(SB)
	MOVD $258, R12
	B    entry<>(SB)
	MOVD $259, R12
	B    entry<>(SB)
	MOVD $260, R12
	B    entry<>(SB)
	MOVD $261, R12
	B    entry<>(SB)
	MOVD $262, R12
	B    entry<>(SB)
	MOVD $263, R12
	B    entry<>(SB)
	MOVD $264, R12
	B    entry<>(SB)
	MOVD $265, R12
	B    entry<>(SB)
	MOVD $266, R12
	B    entry<>(SB)
	MOVD $267, R12
	B    entry<>(SB)
	MOVD $268, R12
	B    entry<>(SB)
	MOVD $269, R12
	B    entry<>(SB)
	MOVD $270, R12
	B    entry<>(SB)
	MOVD $271, R12
	B    entry<>(SB)
	MOVD $272, R12
	B    entry<>(SB)
	MOVD $273, R12
	B    entry<>(SB)
	MOVD $274, R12
	B    entry<>(SB)
	MOVD $275, R12
	B    entry<>(SB)
	MOVD $276, R12
	B    entry<>(SB)
	MOVD $277, R12
	B    entry<>(SB)
	MOVD $278, R12
	B    entry<>(SB)
	MOVD $279, R12
	B    entry<>(SB)
	MOVD $280, R12
	B    entry<>(SB)
	MOVD $281, R12
	B    entry<>(SB)
	MOVD $282, R12
	B    entry<>(SB)
	MOVD $283, R12
	B    entry<>(SB)
	MOVD $284, R12
	B    entry<>(SB)
	MOVD $285, R12
	B    entry<>(SB)
	MOVD $286, R12
	B    entry<>(SB)
	MOVD $287, R12
	B    entry<>(SB)
	MOVD $288, R12
	B    entry<>(SB)
	MOVD $289, R12
	B    entry<>(SB)
	MOVD $290, R12
	B    entry<>(SB)
	MOVD $291, R12
	B    entry<>(SB)
	MOVD $292, R12
	B    entry<>(SB)
	MOVD $293, R12
	B    entry<>(SB)
	MOVD $294, R12
	B    entry<>(SB)
	MOVD $295, R12
	B    entry<>(SB)
	MOVD $296, R12
	B    entry<>(SB)
	MOVD $297, R12
	B    entry<>(SB)
	MOVD $298, R12
	B    entry<>(SB)
	MOVD $299, R12
	B    entry<>(SB)
	MOVD $300, R12
	B    entry<>(SB)
	MOVD $301, R12
	B    entry<>(SB)
	MOVD $302, R12
	B    entry<>(SB)
	MOVD $303, R12
	B    entry<>(SB)
	MOVD $304, R12
	B    entry<>(SB)
	MOVD $305, R12
	B    entry<>(SB)
	MOVD $306, R12
	B    entry<>(SB)
	MOVD $307, R12
	B    entry<>(SB)
	MOVD $308, R12
	B    entry<>(SB)
	MOVD $309, R12
	B    entry<>(SB)
	MOVD $310, R12
	B    entry<>(SB)
	MOVD $311, R12
	B    entry<>(SB)
	MOVD $312, R12
	B    entry<>(SB)
	MOVD $313, R12
	B    entry<>(SB)
	MOVD $314, R12
	B    entry<>(SB)
	MOVD $315, R12
	B    entry<>(SB)
	MOVD $316, R12
	B    entry<>(SB)
	MOVD $317, R12
	B    entry<>(SB)
	MOVD $318, R12
	B    entry<>(SB)
	MOVD $319, R12
	B    entry<>(SB)
	MOVD $320, R12
	B    entry<>(SB)
	MOVD $321, R12
	B    entry<>(SB)
	MOVD $322, R12
	B    entry<>(SB)
	MOVD $323, R12
	B    entry<>(SB)
	MOVD $324, R12
	B    entry<>(SB)
	MOVD $325, R12
	B    entry<>(SB)
	MOVD $326, R12
	B    entry<>(SB)
	MOVD $327, R12
	B    entry<>(SB)
	MOVD $328, R12
	B    entry<>(SB)
	MOVD $329, R12
	B    entry<>(SB)
	MOVD $330, R12
	B    entry<>(SB)
	MOVD $331, R12
	B    entry<>(SB)
	MOVD $332, R12
	B    entry<>(SB)
	MOVD $333, R12
	B    entry<>(SB)
	MOVD $334, R12
	B    entry<>(SB)
	MOVD $335, R12
	B    entry<>(SB)
	MOVD $336, R12
	B    entry<>(SB)
	MOVD $337, R12
	B    entry<>(SB)
	MOVD $338, R12
	B    entry<>(SB)
	MOVD $339, R12
	B    entry<>(SB)
	MOVD $340, R12
	B    entry<>(SB)
	MOVD $341, R12
	B    entry<>(SB)
	MOVD $342, R12
	B    entry<>(SB)
	MOVD $343, R12
	B    entry<>(SB)
	MOVD $344, R12
	B    entry<>(SB)
	MOVD $345, R12
	B    entry<>(SB)
	MOVD $346, R12
	B    entry<>(SB)
	MOVD $347, R12
	B    entry<>(SB)
	MOVD $348, R12
	B    entry<>(SB)
	MOVD $349, R12
	B    entry<>(SB)
	MOVD $350, R12
	B    entry<>(SB)
	MOVD $351, R12
	B    entry<>(SB)
	MOVD $352, R12
	B    entry<>(SB)
	MOVD $353, R12
	B    entry<>(SB)
	MOVD $354, R12
	B    entry<>(SB)
	MOVD $355, R12
	B    entry<>(SB)
	MOVD $356, R12
	B    entry<>(SB)
	MOVD $357, R12
	B    entry<>(SB)
	MOVD $358, R12
	B    entry<>(SB)
	MOVD $359, R12
	B    entry<>(SB)
	MOVD $360, R12
	B    entry<>(SB)
	MOVD $361, R12
	B    entry<>(SB)
	MOVD $362, R12
	B    entry<>(SB)
	MOVD $363, R12
	B    entry<>(SB)
	MOVD $364, R12
	B    entry<>(SB)
	MOVD $365, R12
	B    entry<>(SB)
	MOVD $366, R12
	B    entry<>(SB)
	MOVD $367, R12
	B    entry<>(SB)
	MOVD $368, R12
	B    entry<>(SB)
	MOVD $369, R12
	B    entry<>(SB)
	MOVD $370, R12
	B    entry<>(SB)
	MOVD $371, R12
	B    entry<>(SB)
	MOVD $372, R12
	B    entry<>(SB)
	MOVD $373, R12
	B    entry<>(SB)
	MOVD $374, R12
	B    entry<>(SB)
	MOVD $375, R12
	B    entry<>(SB)
	MOVD $376, R12
	B    entry<>(SB)
	MOVD $377, R12
	B    entry<>(SB)
	MOVD $378, R12
	B    entry<>(SB)
	MOVD $379, R12
	B    entry<>(SB)
	MOVD $380, R12
	B    entry<>(SB)
	MOVD $381, R12
	B    entry<>(SB)
	MOVD $382, R12
	B    entry<>(SB)
	MOVD $383, R12
	B    entry<>(SB)
	MOVD $384, R12
	B    entry<>(SB)
	MOVD $385, R12
	B    entry<>(SB)
	MOVD $386, R12
	B    entry<>(SB)
	MOVD $387, R12
	B    entry<>(SB)
	MOVD $388, R12
	B    entry<>(SB)
	MOVD $389, R12
	B    entry<>(SB)
	MOVD $390, R12
	B    entry<>(SB)
	MOVD $391, R12
	B    entry<>(SB)
	MOVD $392, R12
	B    entry<>(SB)
	MOVD $393, R12
	B    entry<>(SB)
	MOVD $394, R12
	B    entry<>(SB)
	MOVD $395, R12
	B    entry<>(SB)
	MOVD $396, R12
	B    entry<>(SB)
	MOVD $397, R12
	B    entry<>(SB)
	MOVD $398, R12
	B    entry<>(SB)
	MOVD $399, R12
	B    entry<>(SB)
	MOVD $400, R12
	B    entry<>(SB)
	MOVD $401, R12
	B    entry<>(SB)
	MOVD $402, R12
	B    entry<>(SB)
	MOVD $403, R12
	B    entry<>(SB)
	MOVD $404, R12
	B    entry<>(SB)
	MOVD $405, R12
	B    entry<>(SB)
	MOVD $406, R12
	B    entry<>(SB)
	MOVD $407, R12
	B    entry<>(SB)
	MOVD $408, R12
	B    entry<>(SB)
	MOVD $409, R12
	B    entry<>(SB)
	MOVD $410, R12
	B    entry<>(SB)
	MOVD $411, R12
	B    entry<>(SB)
	MOVD $412, R12
	B    entry<>(SB)
	MOVD $413, R12
	B    entry<>(SB)
	MOVD $414, R12
	B    entry<>(SB)
	MOVD $415, R12
	B    entry<>(SB)
	MOVD $416, R12
	B    entry<>(SB)
	MOVD $417, R12
	B    entry<>(SB)
	MOVD $418, R12
	B    entry<>(SB)
	MOVD $419, R12
	B    entry<>(SB)
	MOVD $420, R12
	B    entry<>(SB)
	MOVD $421, R12
	B    entry<>(SB)
	MOVD $422, R12
	B    entry<>(SB)
	MOVD $423, R12
	B    entry<>(SB)
	MOVD $424, R12
	B    entry<>(SB)
	MOVD $425, R12
	B    entry<>(SB)
	MOVD $426, R12
	B    entry<>(SB)
	MOVD $427, R12
	B    entry<>(SB)
	MOVD $428, R12
	B    entry<>(SB)
	MOVD $429, R12
	B    entry<>(SB)
	MOVD $430, R12
	B    entry<>(SB)
	MOVD $431, R12
	B    entry<>(SB)
	MOVD $432, R12
	B    entry<>(SB)
	MOVD $433, R12
	B    entry<>(SB)
	MOVD $434, R12
	B    entry<>(SB)
	MOVD $435, R12
	B    entry<>(SB)
	MOVD $436, R12
	B    entry<>(SB)
	MOVD $437, R12
	B    entry<>(SB)
	MOVD $438, R12
	B    entry<>(SB)
	MOVD $439, R12
	B    entry<>(SB)
	MOVD $440, R12
	B    entry<>(SB)
	MOVD $441, R12
	B    entry<>(SB)
	MOVD $442, R12
	B    entry<>(SB)
	MOVD $443, R12
	B    entry<>(SB)
	MOVD $444, R12
	B    entry<>(SB)
	MOVD $445, R12
	B    entry<>(SB)
	MOVD $446, R12
	B    entry<>(SB)
	MOVD $447, R12
	B    entry<>(SB)
	MOVD $448, R12
	B    entry<>(SB)
	MOVD $449, R12
	B    entry<>(SB)
	MOVD $450, R12
	B    entry<>(SB)
	MOVD $451, R12
	B    entry<>(SB)
	MOVD $452, R12
	B    entry<>(SB)
	MOVD $453, R12
	B    entry<>(SB)
	MOVD $454, R12
	B    entry<>(SB)
	MOVD $455, R12
	B    entry<>(SB)
	MOVD $456, R12
	B    entry<>(SB)
	MOVD $457, R12
	B    entry<>(SB)
	MOVD $458, R12
	B    entry<>(SB)
	MOVD $459, R12
	B    entry<>(SB)
	MOVD $460, R12
	B    entry<>(SB)
	MOVD $461, R12
	B    entry<>(SB)
	MOVD $462, R12
	B    entry<>(SB)
	MOVD $463, R12
	B    entry<>(SB)
	MOVD $464, R12
	B    entry<>(SB)
	MOVD $465, R12
	B    entry<>(SB)
	MOVD $466, R12
	B    entry<>(SB)
	MOVD $467, R12
	B    entry<>(SB)
	MOVD $468, R12
	B    entry<>(SB)
	MOVD $469, R12
	B    entry<>(SB)
	MOVD $470, R12
	B    entry<>(SB)
	MOVD $471, R12
	B    entry<>(SB)
	MOVD $472, R12
	B    entry<>(SB)
	MOVD $473, R12
	B    entry<>(SB)
	MOVD $474, R12
	B    entry<>(SB)
	MOVD $475, R12
	B    entry<>(SB)
	MOVD $476, R12
	B    entry<>(SB)
	MOVD $477, R12
	B    entry<>(SB)
	MOVD $478, R12
	B    entry<>(SB)
	MOVD $479, R12
	B    entry<>(SB)
	MOVD $480, R12
	B    entry<>(SB)
	MOVD $481, R12
	B    entry<>(SB)
	MOVD $482, R12
	B    entry<>(SB)
	MOVD $483, R12
	B    entry<>(SB)
	MOVD $484, R12
	B    entry<>(SB)
	MOVD $485, R12
	B    entry<>(SB)
	MOVD $486, R12
	B    entry<>(SB)
	MOVD $487, R12
	B    entry<>(SB)
	MOVD $488, R12
	B    entry<>(SB)
	MOVD $489, R12
	B    entry<>(SB)
	MOVD $490, R12
	B    entry<>(SB)
	MOVD $491, R12
	B    entry<>(SB)
	MOVD $492, R12
	B    entry<>(SB)
	MOVD $493, R12
	B    entry<>(SB)
	MOVD $494, R12
	B    entry<>(SB)
	MOVD $495, R12
	B    entry<>(SB)
	MOVD $496, R12
	B    entry<>(SB)
	MOVD $497, R12
	B    entry<>(SB)
	MOVD $498, R12
	B    entry<>(SB)
	MOVD $499, R12
	B    entry<>(SB)
	MOVD $500, R12
	B    entry<>(SB)
	MOVD $501, R12
	B    entry<>(SB)
	MOVD $502, R12
	B    entry<>(SB)
	MOVD $503, R12
	B    entry<>(SB)
	MOVD $504, R12
	B    entry<>(SB)
	MOVD $505, R12
	B    entry<>(SB)
	MOVD $506, R12
	B    entry<>(SB)
	MOVD $507, R12
	B    entry<>(SB)
	MOVD $508, R12
	B    entry<>(SB)
	MOVD $509, R12
	B    entry<>(SB)
	MOVD $510, R12
	B    entry<>(SB)
	MOVD $511, R12
	B    entry<>(SB)

// entry runs with the stack and registers as C left them, plus R12. R27
// is callee-saved in C but the Go assembler uses it to load a global, and
// crosscall2 keeps its own return address in R30 (the link register), so
// both are saved here; crosscall2 saves the other callee-saved registers
// before Go code runs.
TEXT entry<>(SB), NOSPLIT|NOFRAME, $0
	SUB $FRAME, RSP
	STP (R27, R30), 0(RSP)

	STP   (R0, R1), (F+0)(RSP)
	STP   (R2, R3), (F+16)(RSP)
	STP   (R4, R5), (F+32)(RSP)
	FSTPD (F0, F1), (F+48)(RSP)
	FSTPD (F2, F3), (F+64)(RSP)
	FSTPD (F4, F5), (F+80)(RSP)
	FSTPD (F6, F7), (F+96)(RSP)
	MOVD  R12, INDEX(RSP)

	// crosscall2(fn, frame, 0, ctxt 0): runtime.cgocallback(fn, frame, 0)
	MOVD ·entryCall(SB), R0
	MOVD (R0), R0
	ADD  $F, RSP, R1
	MOVD $0, R2
	MOVD $0, R3
	BL   crosscall2(SB)

	MOVD  RESULT(RSP), R0
	FMOVD RESULT(RSP), F0
	LDP   0(RSP), (R27, R30)
	ADD   $FRAME, RSP
	RET
