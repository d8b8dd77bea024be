//! AIG227: Gradio app launched with a public share link.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG227",
    name: "gradio-public-share",
    domain: Domain::Code,
    severity: Severity::Medium,
    verdict: Verdict::Unapproved,
    checklist: &["000#4", "000#11", "002#3"],
    summary: "Gradio app launched with a public share link",
    docs: RuleDocs {
        what: "Fires on `.launch(share=True)` (Gradio `Interface`, `Blocks`, `ChatInterface`).",
        why: "share=True tunnels the app to a public *.gradio.live URL: anyone with the link uses the model, its tools and its files, without authentication unless `auth=` is set.",
        example: "demo = gr.Interface(fn=predict, inputs='text', outputs='text')\ndemo.launch(share=True)",
        fix: "Share only behind `auth=`, for short sessions, or deploy behind your own authenticated proxy.",
        references: &["https://www.gradio.app/guides/sharing-your-app"],
    },
};
