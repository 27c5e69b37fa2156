package io.tcpteardown.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.tier.UnitTest;
import org.junit.jupiter.api.Test;

@UnitTest
class ApiRequestsTest {
  private static String count(String verb, String subresource, String code, long value) {
    return sample("apiserver_request_total{code=\"" + code + "\",", verb, subresource, value);
  }

  private static String seconds(String verb, String subresource, double value) {
    return sample("apiserver_request_duration_seconds_sum{", verb, subresource, value);
  }

  /** One sample of the API server's metrics for profiles, as it writes them. */
  private static String sample(String opening, String verb, String subresource, Object value) {
    return opening
        + "component=\"apiserver\",group=\"tcpteardown.io\",resource=\"tcpteardownprofiles\","
        + "scope=\"resource\",subresource=\""
        + subresource
        + "\",verb=\""
        + verb
        + "\",version=\"v1alpha1\"} "
        + value;
  }

  @Test
  void countsKindsAcrossCodesAndListsWhatWasRefusedMeanwhile() {
    ApiRequests before =
        ApiRequests.parse(
            String.join(
                "\n",
                count("APPLY", "status", "200", 10),
                count("APPLY", "status", "409", 1),
                seconds("APPLY", "status", 1.0),
                count("GET", "", "200", 5)));
    ApiRequests after =
        ApiRequests.parse(
            String.join(
                "\n",
                count("APPLY", "status", "200", 28),
                count("APPLY", "status", "409", 3),
                seconds("APPLY", "status", 3.0),
                count("GET", "", "200", 5),
                count("GET", "", "404", 1)));

    assertThat(after.count("APPLY tcpteardownprofiles/status")).isEqualTo(31);
    assertThat(after.since(before, 8))
        .isEqualTo(
            "APPLY tcpteardownprofiles/status 20 (100 ms), GET tcpteardownprofiles 1; refused"
                + " APPLY tcpteardownprofiles/status 409: 2, GET tcpteardownprofiles 404: 1");
  }

  @Test
  void saysNothingOfRefusalsWhenThereWereNone() {
    ApiRequests before = ApiRequests.parse(count("GET", "", "200", 5));
    ApiRequests after = ApiRequests.parse(count("GET", "", "200", 7));

    assertThat(after.since(before, 8)).isEqualTo("GET tcpteardownprofiles 2");
  }
}
