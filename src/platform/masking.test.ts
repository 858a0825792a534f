import { describe, expect, it } from "bun:test";
import { maskPersonName, maskPhone, maskPostalAddress, maskStreet } from "./masking.ts";

describe("maskPhone", () => {
  it("keeps the first three and the last four digits of a mobile number", () => {
    expect(maskPhone("13812345678")).toBe("138****5678");
    expect(maskPhone(" 138 1234 5678 ")).toBe("138****5678");
    expect(maskPhone("138-1234-5678")).toBe("138****5678");
  });

  it("keeps the +86 country code in front of the masked national number", () => {
    expect(maskPhone("+8613812345678")).toBe("+86 138****5678");
    expect(maskPhone("+86 138 1234 5678")).toBe("+86 138****5678");
    expect(maskPhone("0086 13812345678")).toBe("+86 138****5678");
    expect(maskPhone("8613812345678")).toBe("+86 138****5678");
  });

  it("masks other international and landline numbers the same way", () => {
    expect(maskPhone("+1 415 555 0100")).toBe("+141****0100");
    expect(maskPhone("0571-8888 6666")).toBe("057****6666");
  });

  it("shows only the last two digits of a short number, and nothing of a very short one", () => {
    expect(maskPhone("123456")).toBe("****56");
    expect(maskPhone("1234")).toBe("****");
  });

  it("leaves empty values and placeholders as they are", () => {
    expect(maskPhone("")).toBe("");
    expect(maskPhone("—")).toBe("—");
  });
});

describe("maskPersonName", () => {
  it("keeps the family name of a Chinese name", () => {
    expect(maskPersonName("张三丰")).toBe("张**");
    expect(maskPersonName("王小明")).toBe("王**");
    expect(maskPersonName("李四")).toBe("李*");
    expect(maskPersonName("欧阳娜娜")).toBe("欧***");
  });

  it("keeps the first letter of each word of a Latin name", () => {
    expect(maskPersonName("John Doe")).toBe("J*** D**");
    expect(maskPersonName("  Ann   Marie  Lee ")).toBe("A** M**** L**");
    expect(maskPersonName("Zoë")).toBe("Z**");
  });

  it("leaves empty values and placeholders as they are", () => {
    expect(maskPersonName("")).toBe("");
    expect(maskPersonName("—")).toBe("—");
  });
});

describe("maskStreet", () => {
  it("keeps a short prefix and hides the rest behind a mask of fixed length", () => {
    expect(maskStreet("龙井路 1 号")).toBe("龙井****");
    expect(maskStreet("世纪大道 100 号 8 楼")).toBe("世纪大道****");
    expect(maskStreet("Baker Street 221B, Flat 3")).toBe("Bake****");
    expect(maskStreet("Baker Street 221B, Flat 3, second door on the left")).toBe("Bake****");
  });

  it("shows nothing of a very short street", () => {
    expect(maskStreet("1号")).toBe("****");
  });

  it("leaves empty values and placeholders as they are", () => {
    expect(maskStreet("")).toBe("");
    expect(maskStreet("—")).toBe("—");
  });
});

describe("maskPostalAddress", () => {
  it("shows the region and masks recipient, phone and street", () => {
    expect(maskPostalAddress({ recipient: "王小明", phone: "13800138000", region: "浙江省杭州市西湖区", street: "龙井路 1 号" })).toEqual({
      recipient: "王**",
      phone: "138****8000",
      region: "浙江省杭州市西湖区",
      street: "龙井****",
    });
  });
});
