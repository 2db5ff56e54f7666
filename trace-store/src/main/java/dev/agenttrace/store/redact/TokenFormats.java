package dev.agenttrace.store.redact;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The secret formats the {@link Redactor} finds anywhere in a text, whatever the key around them.
 * Each format has a kind (the label of a pseudonym: {@code [REDACTED:github:3f9a]}), literal
 * anchors a match must start with (so the regex runs only where an anchor occurs: ordinary text
 * costs one {@link Anchors} scan), and the regex. The group {@code s}, where a regex has one, is
 * the secret; the rest of the match (a scheme, a user name) is kept.
 *
 * <p>The table follows the provider formats that gitleaks-style rule sets document. Tested one by
 * one, with a look-alike each that must survive, in {@code RedactorTest}; the README lists it.
 */
final class TokenFormats {
    /**
     * One format.
     *
     * @param kind        pseudonym label
     * @param anchors     case-sensitive literals; the match begins at one of them ({@code atStart})
     *                    or contains one {@code minBack} to {@code maxBack} characters after its start
     * @param atStart     whether the match starts exactly at the anchor
     * @param pattern     the format; compiled with no flags
     * @param accept      a check on the secret part (null: any match)
     * @param minBack     without {@code atStart}: the fewest characters a match has before its anchor
     * @param maxBack     without {@code atStart}: the most characters a match has before its anchor
     * @param ids         the anchors' {@link Anchors} ids
     * @param secretGroup whether the pattern has a group {@code s}
     */
    record Format(String kind, String[] anchors, boolean atStart, Pattern pattern, Predicate<String> accept,
            int minBack, int maxBack, int[] ids, boolean secretGroup) {
        Format(String kind, String[] anchors, boolean atStart, Pattern pattern, Predicate<String> accept) {
            this(kind, anchors, anchoredAtStart(atStart), pattern, accept, 0, 0);
        }

        /** A format whose match merely contains its anchor says how far before it the match starts. */
        private static boolean anchoredAtStart(boolean atStart) {
            if (!atStart) {
                throw new IllegalArgumentException("a format not anchored at its start needs minBack and maxBack");
            }
            return true;
        }

        Format(String kind, String[] anchors, boolean atStart, Pattern pattern, Predicate<String> accept, int minBack, int maxBack) {
            this(kind, anchors, atStart, pattern, accept, minBack, maxBack, ids(anchors), pattern.pattern().contains("(?<s>"));
        }

        /**
         * What the scan looks for: the anchor without the repeats of its first character
         * ("-BEGIN" for "-----BEGIN"), or a run of dashes would compare it at every character.
         * Its presence is a "maybe": the format looks for the anchor itself before it runs.
         */
        private static int[] ids(String[] anchors) {
            int[] ids = new int[anchors.length];
            for (int i = 0; i < anchors.length; i++) {
                String a = anchors[i];
                int k = 0;
                while (k + 2 < a.length() && a.charAt(k) == a.charAt(k + 1)) {
                    k++;
                }
                ids[i] = Anchors.register(a.substring(k), false);
            }
            return ids;
        }
    }

    /** Not preceded by a character that would make the anchor part of a longer word. */
    private static final String START = "(?<![A-Za-z0-9_])";
    /** Not followed by a character that would make the token longer than its format. */
    private static final String END = "(?![A-Za-z0-9_])";

    static final List<Format> ALL = List.of(
            // private key material: PEM (RSA, EC, DSA, OPENSSH, PKCS#8, ENCRYPTED), PGP, PuTTY; a block a
            // preview cut off is redacted to the end of the text
            anchored("private-key", "-----BEGIN", "-----BEGIN (?!CERTIFICATE|PUBLIC KEY|X509 CRL|CERTIFICATE REQUEST|NEW CERTIFICATE"
                    + "|TRUSTED CERTIFICATE|PGP PUBLIC KEY|PGP SIGNATURE|PGP SIGNED MESSAGE|SSH2 PUBLIC KEY|RSA PUBLIC KEY)"
                    + "[A-Z0-9 ]{1,40}-----[\\s\\S]*?(?:-----END [A-Z0-9 ]{1,40}-----|\\z)"),
            anchored("private-key", "PuTTY-User-Key-File", "PuTTY-User-Key-File-\\d: [\\s\\S]*?(?:Private-MAC: [0-9a-f]+|\\z)"),
            anchored("age-secret-key", "AGE-SECRET-KEY-1", "AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}"),
            // AI providers
            new Format("anthropic", new String[] {"sk-ant-"}, true,
                    Pattern.compile(START + "sk-ant-(?:api|admin|oat|sid)\\d\\d-[A-Za-z0-9_-]{20,}"), null),
            new Format("openai", new String[] {"sk-"}, true,
                    Pattern.compile(START + "sk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{20,}"), TokenFormats::hasDigit),
            anchored("huggingface", "hf_", START + "hf_[A-Za-z0-9]{34,40}" + END),
            anchored("huggingface", "api_org_", START + "api_org_[A-Za-z0-9]{34}" + END),
            anchored("groq", "gsk_", START + "gsk_[A-Za-z0-9]{48,56}" + END),
            anchored("xai", "xai-", START + "xai-[A-Za-z0-9]{70,90}" + END),
            anchored("perplexity", "pplx-", START + "pplx-[A-Za-z0-9]{40,56}" + END),
            anchored("replicate", "r8_", START + "r8_[A-Za-z0-9]{37}" + END),
            // code hosting and package registries
            anchored("github", "ghp_", START + "ghp_[A-Za-z0-9]{36,255}"),
            anchored("github", "gho_", START + "gho_[A-Za-z0-9]{36,255}"),
            anchored("github", "ghu_", START + "ghu_[A-Za-z0-9]{36,255}"),
            anchored("github", "ghs_", START + "ghs_[A-Za-z0-9]{36,255}"),
            anchored("github", "ghr_", START + "ghr_[A-Za-z0-9]{36,255}"),
            anchored("github", "github_pat_", START + "github_pat_[A-Za-z0-9_]{22,255}"),
            new Format("gitlab", new String[] {"glpat-", "gldt-", "glrt-", "glptt-", "glft-", "glimt-", "glagent-", "glsoat-",
                "glcbt-", "gloas-", "glffct-"}, true,
                    Pattern.compile(START + "gl(?:pat|dt|rt|ptt|ft|imt|agent|soat|cbt|oas|ffct)-[A-Za-z0-9_-]{20,}"), null),
            anchored("gitlab", "GR1348941", START + "GR1348941[A-Za-z0-9_-]{20,}"),
            anchored("npm", "npm_", START + "npm_[A-Za-z0-9]{36}" + END),
            anchored("pypi", "pypi-AgEIcHlwaS5vcmc", "pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}"),
            anchored("rubygems", "rubygems_", START + "rubygems_[a-f0-9]{48}" + END),
            anchored("docker-hub", "dckr_pat_", START + "dckr_pat_[A-Za-z0-9_-]{27,}"),
            anchored("atlassian", "ATATT3", START + "ATATT3[A-Za-z0-9_=-]{100,}"),
            anchored("linear", "lin_api_", START + "lin_api_[A-Za-z0-9]{40}" + END),
            anchored("postman", "PMAK-", START + "PMAK-[a-f0-9]{24}-[a-f0-9]{34}" + END),
            // chat
            new Format("slack", new String[] {"xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "xoxe-", "xoxe.", "xapp-"}, true,
                    Pattern.compile(START + "(?:xox[bpars]-|xoxe\\.xox[bp]-|xoxe-|xapp-)[A-Za-z0-9-]{10,}"), null),
            anchored("slack-webhook", "https://hooks.slack.com/", "https://hooks\\.slack\\.com/(?:services|workflows|triggers)/(?<s>[A-Za-z0-9+/_-]{20,})"),
            new Format("discord-webhook", new String[] {"discord.com/api/webhooks/", "discordapp.com/api/webhooks/"}, false,
                    Pattern.compile("discord(?:app)?\\.com/api/webhooks/\\d+/(?<s>[A-Za-z0-9_-]{30,})"), null, 0, 0),
            new Format("telegram", new String[] {":AA"}, false,
                    Pattern.compile("(?<![0-9])\\d{8,10}:AA[A-Za-z0-9_-]{33}" + END), null, 8, 10),
            // cloud
            new Format("aws-access-key", new String[] {"AKIA", "ASIA", "ABIA", "ACCA", "A3T"}, true,
                    Pattern.compile(START + "(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}" + END), null),
            anchored("google", "AIza", START + "AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])"),
            anchored("google-oauth", "GOCSPX-", START + "GOCSPX-[A-Za-z0-9_-]{28}"),
            anchored("google-oauth", "ya29.", START + "ya29\\.[A-Za-z0-9_-]{30,}"),
            new Format("azure", new String[] {"AccountKey=", "SharedAccessKey=", "AccessKey="}, false,
                    Pattern.compile("(?:Account|SharedAccess|;Access)Key=(?<s>[A-Za-z0-9+/]{20,}={0,2})"), null, 0, 1),
            new Format("azure-sas", new String[] {"sig="}, false,
                    Pattern.compile("[?&;]sig=(?<s>[A-Za-z0-9%+/=]{20,})"), null, 1, 1),
            new Format("azure-client-secret", new String[] {"Q~"}, false,
                    Pattern.compile(START + "[A-Za-z0-9_~.]{3}\\dQ~[A-Za-z0-9_~.-]{31,34}" + END), null, 4, 4),
            anchored("digitalocean", "dop_v1_", START + "do[por]_v1_[a-f0-9]{64}" + END),
            anchored("digitalocean", "doo_v1_", START + "doo_v1_[a-f0-9]{64}" + END),
            anchored("databricks", "dapi", START + "dapi[a-f0-9]{32}(?:-\\d)?" + END),
            anchored("vault", "hvs.", START + "hvs\\.[A-Za-z0-9_-]{24,}"),
            anchored("vault", "hvb.", START + "hvb\\.[A-Za-z0-9_-]{24,}"),
            anchored("doppler", "dp.pt.", START + "dp\\.pt\\.[A-Za-z0-9]{43}"),
            anchored("planetscale", "pscale_", START + "pscale_(?:tkn|pw|oauth)_[A-Za-z0-9_.=-]{32,64}"),
            anchored("supabase", "sbp_", START + "sbp_[a-f0-9]{40}" + END),
            anchored("flyio", "fo1_", START + "fo1_[A-Za-z0-9_-]{43}"),
            anchored("grafana", "glsa_", START + "glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}" + END),
            anchored("grafana", "glc_", START + "glc_[A-Za-z0-9+/]{32,400}={0,2}"),
            anchored("sentry", "sntrys_", START + "sntrys_eyJ[A-Za-z0-9+/=_-]{50,}"),
            anchored("notion", "ntn_", START + "ntn_[A-Za-z0-9]{46}" + END),
            anchored("notion", "secret_", START + "secret_[A-Za-z0-9]{43}" + END),
            // payments and mail
            new Format("stripe", new String[] {"sk_live_", "rk_live_", "sk_test_", "rk_test_", "whsec_"}, true,
                    Pattern.compile(START + "(?:(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,}|whsec_[A-Za-z0-9+/]{24,})"), null),
            new Format("square", new String[] {"sq0atp-", "sq0csp-", "EAAA"}, true,
                    Pattern.compile(START + "(?:sq0atp-[A-Za-z0-9_-]{22}|sq0csp-[A-Za-z0-9_-]{43}|EAAA[A-Za-z0-9_-]{60})"), null),
            anchored("shopify", "shp", START + "shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}" + END),
            anchored("sendgrid", "SG.", START + "SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}" + END),
            anchored("mailgun", "key-", START + "key-[0-9a-zA-Z]{32}" + END),
            new Format("mailchimp", new String[] {"-us"}, false,
                    Pattern.compile(START + "[0-9a-f]{32}-us\\d{1,2}" + END), null, 32, 32),
            anchored("twilio", "SK", START + "SK[0-9a-f]{32}" + END),
            // generic shapes
            anchored("jwt", "eyJ", START + "eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}"),
            new Format("url-password", new String[] {"://"}, false,
                    Pattern.compile("(?<=[A-Za-z0-9])://[^\\s:/?#@\"'\\[\\]]{1,256}:(?<s>[^\\s@/?#\"']{1,256})(?=@)"),
                    s -> !s.startsWith("[REDACTED"), 0, 0));

    private TokenFormats() {
    }

    private static Format anchored(String kind, String anchor, String regex) {
        return new Format(kind, new String[] {anchor}, true, Pattern.compile(regex), null);
    }

    private static boolean hasDigit(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isDigit(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    /** "Basic authentication" is prose; "Basic dXNlcjpwYXNz" decodes to "user:pass". */
    static boolean basicCredentials(String b64) {
        if (b64.length() % 4 != 0) {
            return false;
        }
        try {
            String s = new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
            return s.indexOf(':') > 0;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
