//! "Saber más para decidir mejor" (domain.md §4.1, step 2): the short course every member takes
//! before applying for a credit, and its final quiz. The texts are in the translation files
//! (`course.ftl`); here are the pages' order, the questions' right answers and the pass mark.

use serde::Serialize;

/// The version of the course a pass is recorded against. A new version of the texts or the
/// quiz gets a new name; passes of earlier versions still count.
pub const VERSION: &str = "2026-1";

/// The pages, in reading order, by their address (`/credito/curso/{slug}`); each page's title
/// and paragraphs are `course-{slug}-title`, `course-{slug}-1`, `course-{slug}-2`, …
pub const PAGES: [(&str, u8); 5] = [
    ("que-es-un-credito", 3),
    ("cuanto-cuesta", 3),
    ("pagos-y-descuentos", 3),
    ("seguros-y-desempleo", 3),
    ("tus-derechos", 3),
];

/// A question of the quiz: how many options it offers and which one (from 0) is right. Its
/// text is `course-q{n}`, its options `course-q{n}-{i}`, and why the right answer is right
/// `course-q{n}-why`, n from 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Question {
    pub options: u8,
    pub right: u8,
}

pub const QUESTIONS: [Question; 6] = [
    // What the credit is: a loan that is paid back with interest.
    Question {
        options: 3,
        right: 1,
    },
    // What the total cost includes: interest, fees and insurance.
    Question {
        options: 3,
        right: 2,
    },
    // How it is paid while employed: the employer discounts it from the pay.
    Question {
        options: 3,
        right: 0,
    },
    // What to do on losing the job: tell the fund and ask for the payment protection.
    Question {
        options: 3,
        right: 1,
    },
    // Who may do the procedures for you: nobody needs an intermediary; they are free.
    Question {
        options: 3,
        right: 2,
    },
    // What the insurance covers: the debt if the borrower dies or is disabled.
    Question {
        options: 3,
        right: 0,
    },
];

/// Right answers needed to pass.
pub const PASS_MARK: u32 = 5;

/// A quiz as marked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Graded {
    pub score: u32,
    pub out_of: u32,
    pub passed: bool,
    /// The questions answered wrongly or not at all (from 0), to explain.
    pub wrong: Vec<usize>,
}

/// Marks the member's answers (an option per question, `None` when unanswered).
pub fn grade(answers: &[Option<u8>]) -> Graded {
    let wrong: Vec<usize> = QUESTIONS
        .iter()
        .enumerate()
        .filter(|(i, q)| answers.get(*i).copied().flatten() != Some(q.right))
        .map(|(i, _)| i)
        .collect();
    let out_of = QUESTIONS.len() as u32;
    let score = out_of - wrong.len() as u32;
    Graded {
        score,
        out_of,
        passed: score >= PASS_MARK,
        wrong,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pass_mark_decides_and_wrong_answers_are_named() {
        let right: Vec<Option<u8>> = QUESTIONS.iter().map(|q| Some(q.right)).collect();
        let all = grade(&right);
        assert!(all.passed);
        assert_eq!((all.score, all.out_of), (6, 6));
        let mut one_wrong = right.clone();
        one_wrong[3] = Some(0);
        let g = grade(&one_wrong);
        assert!(g.passed);
        assert_eq!(g.wrong, vec![3]);
        let mut two_wrong = one_wrong.clone();
        two_wrong[0] = None;
        let g = grade(&two_wrong);
        assert!(!g.passed);
        assert_eq!(g.wrong, vec![0, 3]);
        assert!(!grade(&[]).passed);
        for q in QUESTIONS {
            assert!(q.right < q.options);
        }
    }
}
