package io.tcpteardown.rules.advice;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.util.StringQuotingChecker;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.rules.ProfileValidation;
import java.io.UncheckedIOException;
import org.yaml.snakeyaml.nodes.NodeId;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * The text {@code tcp-teardown advise} prints: each profile as a YAML document ({@code ---} between
 * them) preceded by its comment lines, then the notes as comments; nothing to advise is one comment
 * saying so. Exactly what {@code validate} and {@code kubectl apply} read.
 */
public final class AdviceYaml {
  private static final ObjectMapper JSON =
      JsonMapper.builder().serializationInclusion(JsonInclude.Include.NON_NULL).build();
  private static final YAMLMapper YAML =
      YAMLMapper.builder(
              YAMLFactory.builder().stringQuotingChecker(new QuoteWhatReadsAsNoString()).build())
          .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
          .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
          .build();

  /**
   * Quotes, beside what Jackson quotes, every string a YAML 1.1 reader (kubectl's, and this
   * command's own {@code validate}) would read as something else unquoted: {@code 12345e67} is a
   * float there, {@code 1_000} an int, {@code 2026-12-07} a timestamp. A label value such as these
   * printed bare would not be a string when applied.
   */
  private static final class QuoteWhatReadsAsNoString extends StringQuotingChecker.Default {
    private static final Resolver RESOLVER = new Resolver();

    @Override
    public boolean needToQuoteValue(String value) {
      return super.needToQuoteValue(value)
          || !Tag.STR.equals(RESOLVER.resolve(NodeId.scalar, value, true));
    }

    @Override
    public boolean needToQuoteName(String name) {
      return super.needToQuoteName(name)
          || !Tag.STR.equals(RESOLVER.resolve(NodeId.scalar, name, true));
    }
  }

  /** What is printed when there is nothing to advise. */
  public static final String NOTHING =
      "# No advice: no node or pod has advice that a profile can act on.";

  private AdviceYaml() {}

  /** The profile as the document a file holds: apiVersion, kind, metadata and spec. */
  public static ObjectNode tree(TcpTeardownProfile profile) {
    ObjectNode document = JSON.createObjectNode();
    document.put("apiVersion", ProfileValidation.API_VERSION);
    document.put("kind", ProfileValidation.KIND);
    document.set("metadata", JSON.valueToTree(profile.getMetadata()));
    JsonNode spec = JSON.valueToTree(profile.getSpec());
    document.set("spec", spec);
    return document;
  }

  /** The whole output: documents, then notes; a comment alone when there is nothing. */
  public static String render(AdviceProfiles.Result result) {
    StringBuilder out = new StringBuilder();
    for (AdviceProfiles.Proposal proposal : result.proposals()) {
      out.append("---\n");
      proposal.comments().forEach(c -> out.append("# ").append(c).append('\n'));
      try {
        out.append(YAML.writeValueAsString(tree(proposal.profile())));
      } catch (JsonProcessingException e) {
        throw new UncheckedIOException(e);
      }
    }
    if (result.proposals().isEmpty()) {
      out.append(NOTHING).append('\n');
    }
    if (!result.notes().isEmpty()) {
      out.append("# Notes:\n");
      result.notes().forEach(n -> out.append("# - ").append(n).append('\n'));
    }
    return out.toString();
  }
}
