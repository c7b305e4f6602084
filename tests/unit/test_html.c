/* test_html: the entity of each HTML special, and none for anything else
 * (every byte value and a few code points beyond). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "html.h"

static void test_specials(void **state) {
  (void)state;
  assert_string_equal(mash_html_entity('&'), "&amp;");
  assert_string_equal(mash_html_entity('<'), "&lt;");
  assert_string_equal(mash_html_entity('>'), "&gt;");
  assert_string_equal(mash_html_entity('"'), "&quot;");
  assert_string_equal(mash_html_entity('\''), "&#39;");
}

static void test_others_as_they_are(void **state) {
  (void)state;
  size_t specials = 0;
  for (uint32_t c = 0; c < 256; c++) {
    specials += mash_html_entity(c) != NULL;
  }
  assert_int_equal(specials, 5);
  /* A code point whose low byte is a special is not one. */
  assert_null(mash_html_entity(0x0126)); /* Ħ: low byte '&' */
  assert_null(mash_html_entity(0x103c));
  assert_null(mash_html_entity(0xfffd));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_specials),
      cmocka_unit_test(test_others_as_they_are),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
