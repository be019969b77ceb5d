/// Text made safe for an XML (SVG, HTML) text node or a quoted attribute: `&`, `<`, `>`, `"` and
/// `'` as entities. The console's charts and `frontline evaluate --plots` both write with it.
public enum XMLText {
    public static func escaped(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
