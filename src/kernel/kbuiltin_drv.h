/* Driver memory: the words of struct mn_dev that a driver written in the library keeps
 * its own state in (KVM's mmu_invalidate_seq and _in_progress, GRU's ms_range_active),
 * and the tests on the driver-filled device table that the 6.1 drivers add to the 2008
 * ones. */
#ifndef MN_KBUILTIN_DRV_H
#define MN_KBUILTIN_DRV_H

#include "kbuiltin.h"

BI(kb_dev_word); BI(kb_dev_set_word); BI(kb_dev_word_add); BI(kb_dev_word_wait_zero);
EN(kb_dev_word_wait_zero_en); BI(kb_ext_young); BI(kb_page_pin); BI(kb_page_maybe_dma_pinned);

#define MN_BUILTINS_DRV                                                                          \
	KB("dev_word", 2, TY_INT, kb_dev_word, NULL,                                             \
	   "driver word `i` (1..5) of device `dev` (READ_ONCE of a driver field)", TY_INT, TY_INT) \
	KB("dev_set_word", 3, TY_VOID, kb_dev_set_word, NULL,                                    \
	   "sets driver word `i` of device `dev` (WRITE_ONCE)", TY_INT, TY_INT, TY_INT)            \
	KB("dev_word_add", 3, TY_INT, kb_dev_word_add, NULL,                                     \
	   "adds to driver word `i` of device `dev` in one step and returns the new value "      \
	   "(atomic_add_return)", TY_INT, TY_INT, TY_INT)                                         \
	KB("dev_word_wait_zero", 2, TY_VOID, kb_dev_word_wait_zero, kb_dev_word_wait_zero_en,    \
	   "blocks until driver word `i` of device `dev` is 0 (wait_event); may sleep",          \
	   TY_INT, TY_INT)                                                                        \
	KB("ext_young", 2, TY_INT, kb_ext_young, NULL,                                           \
	   "1 when the device's own table maps `addr` with the accessed bit set; nothing "       \
	   "cleared (kvm_test_age_gfn)", TY_INT, TY_INT)                                          \
	KB("page_pin", 1, TY_VOID, kb_page_pin, NULL,                                            \
	   "a FOLL_PIN reference on the page: one more reference, and page_maybe_dma_pinned "    \
	   "until unpin_user_page drops the last pin", TY_HANDLE)                                \
	KB("page_maybe_dma_pinned", 1, TY_INT, kb_page_maybe_dma_pinned, NULL,                   \
	   "1 while the page holds a FOLL_PIN reference", TY_HANDLE)

#endif
